"""A Word document (.docx) → Markdown: heading styles become ``#``…, lists, tables kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree

from pierre_rag.knowledge.uploads.limits import UploadRefused
from pierre_rag.knowledge.uploads.markdown import table
from pierre_rag.knowledge.uploads.package import OoxmlPackage

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCUMENT = "word/document.xml"
STYLES = "word/styles.xml"
NUMBERING = "word/numbering.xml"
MAX_SPAN = 63  # Word's own column limit: a hostile span must not make a million cells
# "Heading 2" (English Word), "Titre 2" (French Word), and their ids "Heading2" / "Titre2".
_HEADING = re.compile(r"^(?:heading|titre)\s*([1-9])$", re.IGNORECASE)
_TITLE = re.compile(r"^(?:title|titre)$", re.IGNORECASE)


@dataclass(frozen=True)
class _Block:
    text: str
    is_list_item: bool = False


def docx_markdown(package: OoxmlPackage) -> str:
    if DOCUMENT not in package.names:
        raise UploadRefused("fichier illisible : ce n'est pas un document Word (.docx)")
    levels = _heading_levels(package)
    body = package.xml(DOCUMENT).find(f"{W}body")
    if body is None:
        return ""
    numbered = _numbered_lists(package)
    blocks: list[_Block] = []
    for element in body:
        if element.tag == f"{W}p":
            blocks.append(_paragraph(element, levels, numbered))
        elif element.tag == f"{W}tbl":
            blocks.append(_Block(_table(element)))
    return _join(blocks)


def _numbered_lists(package: OoxmlPackage) -> set[tuple[str, int]]:
    """(numId, level) pairs numbered with digits or letters; the other lists are bullets."""
    if NUMBERING not in package.names:
        return set()
    numbering = package.xml(NUMBERING)
    ordered_levels: dict[str, set[int]] = {}
    for abstract in numbering.iter(f"{W}abstractNum"):
        ordered_levels[abstract.get(f"{W}abstractNumId", "")] = {
            _number(lvl.get(f"{W}ilvl"))
            for lvl in abstract.iter(f"{W}lvl")
            if _val(lvl.find(f"{W}numFmt")) not in ("bullet", "none", "")
        }
    numbered: set[tuple[str, int]] = set()
    for num in numbering.iter(f"{W}num"):
        levels = ordered_levels.get(_val(num.find(f"{W}abstractNumId")), set())
        numbered |= {(num.get(f"{W}numId", ""), level) for level in levels}
    return numbered


def _val(element: ElementTree.Element | None, default: str = "") -> str:
    return element.get(f"{W}val", default) if element is not None else default


def _number(value: str | None, default: int = 0) -> int:
    """A count or index read from the file; anything else (a hostile file) is the default."""
    return (
        int(value) if value and value.isascii() and value.isdigit() and len(value) < 6 else default
    )


def _heading_levels(package: OoxmlPackage) -> dict[str, int]:
    """Style id → heading level, from the style names (ids differ by language and version)."""
    levels: dict[str, int] = {}
    if STYLES in package.names:
        for style in package.xml(STYLES).iter(f"{W}style"):
            style_id = style.get(f"{W}styleId", "")
            name = style.find(f"{W}name")
            level = _level(name.get(f"{W}val", "") if name is not None else "")
            if level:
                levels[style_id] = level
    return levels


def _level(style: str) -> int | None:
    if _TITLE.match(style.strip()):
        return 1
    match = _HEADING.match(style.strip())
    return int(match.group(1)) if match else None


def _paragraph(
    p: ElementTree.Element, levels: dict[str, int], numbered: set[tuple[str, int]]
) -> _Block:
    text = _text(p).strip()
    if not text:
        return _Block("")
    properties = p.find(f"{W}pPr")
    style = properties.find(f"{W}pStyle") if properties is not None else None
    style_id = style.get(f"{W}val", "") if style is not None else ""
    level = levels.get(style_id) or _level(style_id)
    if level:
        return _Block(f"{'#' * level} {text}")
    numbering = properties.find(f"{W}numPr") if properties is not None else None
    if numbering is not None:
        depth = _number(_val(numbering.find(f"{W}ilvl")))
        ordered = (_val(numbering.find(f"{W}numId")), depth) in numbered
        marker = "1." if ordered else "-"  # Markdown numbers "1." items in order
        indent = "   " if ordered else "  "
        return _Block(indent * min(depth, 8) + f"{marker} {text}", is_list_item=True)
    return _Block(text)


def _text(element: ElementTree.Element) -> str:
    parts: list[str] = []
    for node in element.iter():
        if node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag in (f"{W}tab", f"{W}br", f"{W}cr"):
            parts.append(" ")
    return "".join(parts)


def _table(tbl: ElementTree.Element) -> str:
    """Rows of cells; a cell spanning columns or continuing a vertical merge repeats its value."""
    rows: list[list[str]] = []
    for tr in tbl.findall(f"{W}tr"):
        row: list[str] = []
        for tc in tr.findall(f"{W}tc"):
            properties = tc.find(f"{W}tcPr")
            span, merged = 1, False
            if properties is not None:
                span = min(_number(_val(properties.find(f"{W}gridSpan")), 1), MAX_SPAN)
                vmerge = properties.find(f"{W}vMerge")
                merged = vmerge is not None and _val(vmerge, "continue") == "continue"
            value = " ".join(_text(p).strip() for p in tc.findall(f"{W}p")).strip()
            if merged and rows and len(rows[-1]) > len(row):
                value = rows[-1][len(row)]
            row.extend([value] * max(span, 1))
        if any(value.strip() for value in row):
            rows.append(row)
    return table(rows) if rows else ""


def _join(blocks: list[_Block]) -> str:
    """Blocks separated by a blank line; consecutive list items stay one list."""
    out: list[str] = []
    previous_list = False
    for block in blocks:
        if not block.text:
            continue
        if out:
            out.append("\n" if block.is_list_item and previous_list else "\n\n")
        out.append(block.text)
        previous_list = block.is_list_item
    return "".join(out) + "\n"
