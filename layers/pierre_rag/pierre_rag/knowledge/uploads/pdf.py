"""A PDF's text → Markdown: the bookmarks (outline) become sections, lines become paragraphs.

A PDF has no paragraphs or headings, only positioned lines, so this is a best effort the
contributor checks in the chunk preview: lines are joined back into paragraphs (a line that
ends a sentence, or a list item, starts a new one; a word cut after its hyphen is joined
again, the hyphen kept: "peut-être" must not lose it, "loca-taire" keeps one), and each
bookmark's title becomes a ``##``/``###`` heading where its page starts, or where its title
is printed on that page. A PDF without bookmarks gives one section, with a warning. Only the
text is kept: scripts, forms and attachments never leave the file, which is not stored.

Refused with a reason: encrypted files, more than ``UploadLimits.max_pdf_pages`` pages, more
text than ``max_uncompressed_bytes``, anything pypdf cannot read, scans without text.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from pierre_rag.knowledge.uploads.limits import UploadLimits, UploadRefused

_BULLET = re.compile(r"^\s*(?:[•▪◦●\-–—*]|\d{1,2}[.)]|[a-z][.)])\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SENTENCE_END = (".", "!", "?", ":", "…", ";")
MAX_HEADING_LEVEL = 3  # "##" for top-level bookmarks, "###" below; deeper ones join "###"


@dataclass(frozen=True)
class _Bookmark:
    title: str
    page: int  # 0-based
    level: int  # 1 for a top-level bookmark


@dataclass(frozen=True)
class PdfText:
    title: str | None  # the document's own title (metadata), if it has one
    body: str
    has_bookmarks: bool


def pdf_markdown(data: bytes, limits: UploadLimits) -> PdfText:
    """The Markdown body of a PDF (no ``#`` title: the caller adds it)."""
    from pypdf import apply_configuration  # only uploads need pypdf: not at the chat's start

    if not data.lstrip().startswith(b"%PDF-"):
        raise UploadRefused("fichier illisible : ce n'est pas un PDF")
    inflated = limits.max_uncompressed_bytes  # pypdf's own bounds, per stream, lowered to ours
    with apply_configuration(
        zlib_maximum_output_length=inflated,
        lzw_maximum_output_length=inflated,
        run_length_maximum_output_length=inflated,
        brotli_maximum_output_length=inflated,
        array_based_stream_maximum_output_length=inflated,
        maximum_declared_stream_length=inflated,
    ):
        try:
            return _read(data, limits)
        except UploadRefused:
            raise
        except Exception as error:  # pypdf raises many kinds on a damaged or hostile file
            raise UploadRefused(
                "fichier illisible : ce PDF est endommagé ou non conforme"
            ) from error


def _read(data: bytes, limits: UploadLimits) -> PdfText:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise UploadRefused("PDF protégé par un mot de passe : enregistrez-le sans protection")
    pages = len(reader.pages)
    if pages > limits.max_pdf_pages:
        raise UploadRefused(
            f"PDF trop long : {pages} pages pour {limits.max_pdf_pages} au plus, "
            "découpez-le en plusieurs fichiers"
        )
    texts = _page_texts(reader, limits)
    bookmarks = _bookmarks(reader, pages)
    body = "\n\n".join(
        _page_markdown(text, [b for b in bookmarks if b.page == number])
        for number, text in enumerate(texts)
    )
    return PdfText(title=_metadata_title(reader), body=body.strip(), has_bookmarks=bool(bookmarks))


def _page_texts(reader: Any, limits: UploadLimits) -> list[str]:
    texts, total = [], 0
    for page in reader.pages:
        text = _CONTROL.sub("", page.extract_text() or "")
        total += len(text.encode())
        if total > limits.max_uncompressed_bytes:
            raise UploadRefused("PDF trop volumineux une fois décompressé : découpez-le")
        texts.append(text)
    return texts


def _bookmarks(reader: Any, pages: int) -> list[_Bookmark]:
    """The outline, flattened in order, each with its page and depth."""
    found: list[_Bookmark] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            title = " ".join(str(getattr(item, "title", "") or "").split())
            page = reader.get_destination_page_number(item)
            if title and page is not None and 0 <= page < pages:
                found.append(_Bookmark(title, page, level))

    walk(list(reader.outline or []), 1)
    return found


def _metadata_title(reader: Any) -> str | None:
    metadata = reader.metadata
    title = " ".join(str(metadata.title or "").split()) if metadata else ""
    return title or None


def _page_markdown(text: str, bookmarks: list[_Bookmark]) -> str:
    """The page's paragraphs, each bookmark's heading put where its title is printed on a
    line of its own (that line becomes the heading), else at the top of the page."""
    headings = {_words(b.title): _heading(b) for b in bookmarks}
    printed: set[str] = set()
    blocks: list[str] = []
    lines: list[str] = []
    for line in text.splitlines():
        key = _words(line)
        if key in headings and key not in printed:
            blocks.extend(_paragraphs(lines))
            blocks.append(headings[key])
            printed.add(key)
            lines = []
        else:
            lines.append(line)
    blocks.extend(_paragraphs(lines))
    unprinted = [heading for key, heading in headings.items() if key not in printed]
    return "\n\n".join([*unprinted, *blocks])


def _heading(bookmark: _Bookmark) -> str:
    return f"{'#' * min(bookmark.level + 1, MAX_HEADING_LEVEL)} {bookmark.title}"


def _words(text: str) -> str:
    return " ".join(text.casefold().split())


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines joined back into paragraphs: a blank line, a finished sentence or a list item
    starts a new one; a line ending with a hyphen is joined to the next without a space."""
    paragraphs: list[str] = []
    current = ""
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if current and (_BULLET.match(line) or current.endswith(_SENTENCE_END)):
            paragraphs.append(current)
            current = ""
        if current.endswith("-"):  # "peut-" + "être", "Saint-" + "Denis": one word again
            current += line
        else:
            current = f"{current} {line}" if current else line
    if current:
        paragraphs.append(current)
    return [_as_list_item(p) for p in paragraphs]


def _as_list_item(paragraph: str) -> str:
    """A bulleted line becomes a Markdown list item (numbered ones keep their number)."""
    match = _BULLET.match(paragraph)
    if match is None or match.group(0).strip()[:1].isalnum():
        return paragraph
    return f"- {paragraph[match.end() :]}"
