"""Format rules for the knowledge base (``knowledge/``), as pure functions over files.

Layout: ``knowledge/commun/**.md`` is community knowledge; ``knowledge/<domain>/`` is a landlord
(``public/``, ``staff/``, ``landlord.yaml``). ``knowledge/README.md`` documents the layout and is
not an article. Every check returns :class:`Problem` rows (line numbers are 1-based in the file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

COMMUNITY_DIR = "commun"
ACCESS_VALUES = frozenset({"public", "staff"})
DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
UPDATED = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTTPS_LINK = re.compile(r"\]\(\s*https://[^)\s]+\s*\)")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
DOUBLED_WORD = re.compile(r"(?<![\w'’-])(\w+)\s+(\1)(?![\w'’-])", re.IGNORECASE)
DOUBLE_SPACE = re.compile(r"\S {2,}\S")
LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)]|[a-zA-Z][.)])\s+")
INLINE_CODE = re.compile(r"`[^`]*`")
URL = re.compile(r"\]\([^)]*\)|https?://\S+")
# French legitimately doubles these ("vous vous inscrivez", "nous nous sommes").
ALLOWED_DOUBLES = frozenset({"nous", "vous"})
REFERENCES = "Références"


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    text: str


def kind_of(rel: str) -> str:
    """``community``, ``landlord`` or ``other`` for a path relative to ``knowledge/``."""
    top = rel.split("/", 1)[0]
    if "/" not in rel:
        return "other"
    if top == COMMUNITY_DIR:
        return "community"
    if DOMAIN.match(top):
        return "landlord"
    return "other"


def split_front_matter(lines: list[str]) -> tuple[dict[str, Any] | None, int, list[Problem]]:
    """``(mapping or None, index of the first body line, problems)``."""
    if not lines or lines[0].strip() != "---":
        return None, 0, [Problem(1, "missing front matter (the file must start with '---')")]
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
    if not end:
        return None, 0, [Problem(1, "front matter is not closed by a '---' line")]
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        return None, end + 1, [Problem(1, f"front matter is not valid YAML: {exc}")]
    if not isinstance(data, dict):
        return None, end + 1, [Problem(1, "front matter must be a YAML mapping")]
    return data, end + 1, []


def check_front_matter(meta: dict[str, Any], kind: str, rel: str) -> list[Problem]:
    problems: list[Problem] = []
    access = meta.get("access")
    if kind == "community":
        title = meta.get("title")
        if not isinstance(title, str) or not title.strip():
            problems.append(Problem(1, "front matter: 'title' must be a non-empty string"))
        updated = meta.get("updated")
        if not isinstance(updated, str) or not UPDATED.match(updated):
            problems.append(Problem(1, "front matter: 'updated' must look like 2026-11"))
        tags = meta.get("tags")
        if (
            not isinstance(tags, list)
            or not tags
            or not all(isinstance(t, str) and t.strip() and t == t.lower() for t in tags)
        ):
            problems.append(
                Problem(
                    1, "front matter: 'tags' must be a list of lowercase strings (quote numbers)"
                )
            )
        if access not in (None, "community"):
            problems.append(Problem(1, f"front matter: community file with access {access!r}"))
    elif kind == "landlord":
        if access not in ACCESS_VALUES:
            problems.append(
                Problem(1, f"front matter: 'access' must be one of public, staff; got {access!r}")
            )
        else:
            folder = rel.split("/")[1] if rel.count("/") >= 2 else None
            if folder in ACCESS_VALUES and folder != access:
                problems.append(
                    Problem(1, f"front matter: access {access!r} in the {folder}/ folder")
                )
        landlord = meta.get("landlord")
        if landlord is not None and landlord != rel.split("/", 1)[0]:
            problems.append(
                Problem(1, f"front matter: landlord {landlord!r} differs from its folder")
            )
    return problems


def body_lines(lines: list[str], start: int) -> list[tuple[int, str]]:
    """``(line number, text)`` of body lines outside fenced code blocks."""
    out: list[tuple[int, str]] = []
    fenced = False
    for index in range(start, len(lines)):
        text = lines[index]
        if FENCE.match(text):
            fenced = not fenced
            continue
        if not fenced:
            out.append((index + 1, text))
    return out


def headings_of(body: list[tuple[int, str]]) -> list[Heading]:
    found: list[Heading] = []
    for number, text in body:
        match = HEADING.match(text)
        if match:
            found.append(Heading(number, len(match.group(1)), match.group(2)))
    return found


def check_structure(body: list[tuple[int, str]], heads: list[Heading]) -> list[Problem]:
    problems: list[Problem] = []
    h1 = [h for h in heads if h.level == 1]
    if len(h1) != 1:
        where = h1[1].line if len(h1) > 1 else (body[0][0] if body else 1)
        problems.append(Problem(where, f"expected exactly one '# ' title, found {len(h1)}"))
    previous = 0
    for head in heads:
        if previous and head.level > previous + 1:
            problems.append(
                Problem(head.line, f"heading level jumps from {previous} to {head.level}")
            )
        previous = head.level
        if not head.text:
            problems.append(Problem(head.line, "heading without text"))
    content = {number for number, text in body if text.strip() and not HEADING.match(text)}
    for position, head in enumerate(heads):
        stop = next(
            (h.line for h in heads[position + 1 :] if h.level <= head.level),
            body[-1][0] + 1 if body else head.line + 1,
        )
        if not any(head.line < number < stop for number in content) and not any(
            head.line < h.line < stop for h in heads
        ):
            problems.append(Problem(head.line, f"empty section: {head.text!r}"))
    return problems


def check_references(body: list[tuple[int, str]], heads: list[Heading]) -> list[Problem]:
    second = [h for h in heads if h.level == 2]
    if not second or second[-1].text != REFERENCES:
        line = second[-1].line if second else 1
        return [Problem(line, f"the last '## ' section must be '## {REFERENCES}'")]
    start = second[-1].line
    links = sum(len(HTTPS_LINK.findall(text)) for number, text in body if number > start)
    if links < 2:
        return [Problem(start, f"'## {REFERENCES}' needs at least 2 https links, found {links}")]
    return []


def check_links(body: list[tuple[int, str]], path: Path) -> list[Problem]:
    problems: list[Problem] = []
    for number, text in body:
        for target in LINK.findall(INLINE_CODE.sub("", text)):
            if SCHEME.match(target) or target.startswith("#"):
                continue
            file_part = target.split("#", 1)[0].split("?", 1)[0]
            if not file_part:
                continue
            if not (path.parent / file_part).exists():
                problems.append(Problem(number, f"broken internal link: {target}"))
    return problems


def check_typography(body: list[tuple[int, str]]) -> list[Problem]:
    problems: list[Problem] = []
    for number, raw in body:
        if raw.lstrip().startswith("|"):
            continue  # tables align with spaces
        text = URL.sub("]()", INLINE_CODE.sub("``", raw.rstrip()))
        text = LIST_MARKER.sub("", text.lstrip())
        for match in DOUBLED_WORD.finditer(text):
            word = match.group(1)
            if word.lower() not in ALLOWED_DOUBLES and not word.isdigit():
                problems.append(Problem(number, f"doubled word: {match.group(0)!r}"))
        if DOUBLE_SPACE.search(text):
            problems.append(Problem(number, "double space inside a sentence"))
        if text.count("(") != text.count(")"):
            problems.append(Problem(number, "unbalanced parentheses"))
        if text.count("«") != text.count("»"):
            problems.append(Problem(number, "unbalanced « » quotes"))
        if text.count("**") % 2:
            problems.append(Problem(number, "unbalanced ** (bold)"))
    return problems


def check_markdown(path: Path, root: Path) -> list[Problem]:
    """Every rule for one knowledge markdown file; ``root`` is the ``knowledge/`` folder."""
    rel = path.relative_to(root).as_posix()
    kind = kind_of(rel)
    if kind == "other":
        return [Problem(1, "not under commun/ nor a landlord folder named after its domain")]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        return [Problem(1, f"not valid UTF-8: {exc}")]
    meta, start, problems = split_front_matter(lines)
    if meta is not None:
        problems += check_front_matter(meta, kind, rel)
    body = body_lines(lines, start)
    heads = headings_of(body)
    problems += check_structure(body, heads)
    if kind == "community":
        problems += check_references(body, heads)
    problems += check_links(body, path)
    problems += check_typography(body)
    return sorted(problems, key=lambda p: p.line)


def check_landlord_yaml(path: Path) -> list[Problem]:
    """A landlord's ``landlord.yaml``: YAML mapping, ``id`` = folder name, ``contexts.default``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return [Problem(line, f"not valid YAML: {exc}")]
    if not isinstance(data, dict):
        return [Problem(1, "landlord.yaml must be a YAML mapping")]
    problems: list[Problem] = []
    if data.get("id") != path.parent.name:
        problems.append(
            Problem(1, f"id {data.get('id')!r} must equal the folder name {path.parent.name!r}")
        )
    contexts = data.get("contexts")
    if not isinstance(contexts, dict) or not isinstance(contexts.get("default"), dict):
        problems.append(Problem(1, "contexts.default is missing"))
    return problems


def markdown_files(root: Path) -> list[Path]:
    """Knowledge articles: every ``*.md`` except the top-level README and hidden paths."""
    return sorted(
        p
        for p in root.rglob("*.md")
        if p.relative_to(root).as_posix() != "README.md"
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def landlord_files(root: Path) -> list[Path]:
    return sorted(root.glob("*/landlord.yaml"))
