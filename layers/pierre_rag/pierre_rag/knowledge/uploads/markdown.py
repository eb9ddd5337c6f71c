"""Markdown pieces the converters share: table rendering, the title front matter, the .md check."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

import yaml

from pierre_rag.knowledge.errors import BuildError
from pierre_rag.knowledge.sources import split_front_matter
from pierre_rag.knowledge.uploads.limits import UploadRefused


def cell(text: str) -> str:
    """One table cell on one line; a ``|`` in the text would split the cell."""
    return " ".join(text.split()).replace("|", "\\|")


def table(rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table whose first row is the header; short rows are padded."""
    width = max(len(row) for row in rows)
    padded = [[cell(value) for value in row] + [""] * (width - len(row)) for row in rows]
    header, *body = padded
    lines = [_row(header), _row(["---"] * width), *(_row(row) for row in body)]
    return "\n".join(lines)


def _row(values: Sequence[str]) -> str:
    return "| " + " | ".join(values) + " |"


def title_from_name(name: str) -> str:
    """``horaires-agences_2026.docx`` → ``Horaires agences 2026``."""
    words = " ".join(PurePath(name).stem.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:]


def first_h1(body: str) -> str | None:
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip() or None
    return None


def with_title(title: str, body: str) -> str:
    """The knowledge format: a ``title`` front matter, and the same title as the ``#``."""
    if first_h1(body) is None:
        body = f"# {title}\n\n{body}"
    front = yaml.safe_dump({"title": title}, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n\n{body.strip()}\n"


def has_text(markdown: str) -> bool:
    """Something to answer from besides the front matter and headings (which add the title)."""
    _, body = split_front_matter(markdown, "upload")
    lines = (line for line in body.splitlines() if not line.lstrip().startswith("#"))
    return any(ch.isalnum() for line in lines for ch in line)


def checked_markdown(name: str, data: bytes) -> tuple[str, list[str]]:
    """A ``.md`` upload: UTF-8, a valid front matter (a title is added when it has none)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRefused(
            f"fichier illisible : le texte n'est pas en UTF-8 (octet {exc.start})"
        ) from exc
    if "\x00" in text:
        raise UploadRefused("fichier illisible : ce n'est pas un texte (caractère nul)")
    text = text.replace("\r\n", "\n")
    try:
        meta, body = split_front_matter(text, name)
    except BuildError as exc:
        raise UploadRefused(f"en-tête (front matter) invalide : {exc}") from exc
    title = (meta.model_extra or {}).get("title")
    if isinstance(title, str) and title.strip():
        return text, []
    fallback = first_h1(body) or title_from_name(name)
    if text.startswith("---"):
        return text, [f"l'en-tête n'a pas de titre : le titre affiché sera « {fallback} »"]
    return with_title(fallback, body), []
