"""An Excel workbook (.xlsx) → Markdown: one section per sheet, as a table or one section a row.

The first row of a sheet is its header; a merged range repeats its value over every cell it
covers (a merged "Agence" column still names the agency on each row); empty rows are dropped.
"""

from __future__ import annotations

import posixpath
import re
from xml.etree import ElementTree

from pierre_rag.knowledge.uploads.limits import UploadRefused
from pierre_rag.knowledge.uploads.markdown import cell, table
from pierre_rag.knowledge.uploads.package import OoxmlPackage

S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
SHARED_STRINGS = "xl/sharedStrings.xml"
_REF = re.compile(r"^([A-Z]+)([0-9]+)$")
MAX_COLUMNS = 200  # a stray cell in column XFD must not make 16,384 empty columns

Grid = dict[tuple[int, int], str]


def xlsx_markdown(package: OoxmlPackage, *, rows_as_sections: bool = False) -> str:
    if WORKBOOK not in package.names:
        raise UploadRefused("fichier illisible : ce n'est pas un classeur Excel (.xlsx)")
    strings = _shared_strings(package)
    sections: list[str] = []
    for name, part in _sheets(package):
        rows = _rows(_grid(package.xml(part), strings))
        if not rows:
            continue
        body = _row_sections(rows) if rows_as_sections else table(rows)
        sections.append(f"## {name}\n\n{body}")
    return "\n\n".join(sections) + "\n" if sections else ""


def _shared_strings(package: OoxmlPackage) -> list[str]:
    if SHARED_STRINGS not in package.names:
        return []
    return [_string(item) for item in package.xml(SHARED_STRINGS).findall(f"{S}si")]


def _string(item: ElementTree.Element) -> str:
    """Plain text (``si/t``) or rich text runs (``si/r/t``); phonetic hints (``rPh``) left out."""
    texts = [*item.findall(f"{S}t"), *item.findall(f"{S}r/{S}t")]
    return "".join(t.text or "" for t in texts)


def _sheets(package: OoxmlPackage) -> list[tuple[str, str]]:
    """(sheet name, part path) in the workbook's order."""
    targets: dict[str, str] = {}
    if WORKBOOK_RELS in package.names:
        for rel in package.xml(WORKBOOK_RELS).iter(f"{REL}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[rel.get("Id", "")] = posixpath.normpath(path)
    sheets = []
    for sheet in package.xml(WORKBOOK).iter(f"{S}sheet"):
        part = targets.get(sheet.get(f"{R}id", ""), "")
        if part in package.names:
            sheets.append((sheet.get("name", part), part))
    return sheets


def _grid(sheet: ElementTree.Element, strings: list[str]) -> Grid:
    grid: Grid = {}
    for c in sheet.iter(f"{S}c"):
        position = _position(c.get("r", ""))
        value = _value(c, strings)
        if position and value.strip():
            grid[position] = value
    filled_rows = {row for row, _ in grid}
    for merge in sheet.iter(f"{S}mergeCell"):
        _spread(grid, merge.get("ref", ""), filled_rows)
    return grid


def _value(c: ElementTree.Element, strings: list[str]) -> str:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in c.iter(f"{S}t"))
    v = c.find(f"{S}v")
    raw = v.text or "" if v is not None else ""
    if kind == "s":
        index = int(raw) if raw.isascii() and raw.isdigit() else -1
        return strings[index] if 0 <= index < len(strings) else ""
    if kind == "b":
        return "oui" if raw == "1" else "non"
    if kind == "n" and raw.endswith(".0"):
        return raw[:-2]
    return raw


def _position(ref: str) -> tuple[int, int] | None:
    """``B3`` → (row 2, column 1), zero-based; ``None`` past MAX_COLUMNS."""
    match = _REF.match(ref.upper())
    if not match:
        return None
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - ord("A") + 1
    if column > MAX_COLUMNS:
        return None
    return int(match.group(2)) - 1, column - 1


def _spread(grid: Grid, ref: str, filled_rows: set[int]) -> None:
    """The merged value over its range, on the rows that hold something of their own.

    A merge over a whole column (A1:A1048576) thus adds no row, and a row that only
    continues a merge says nothing new.
    """
    first, _, last = ref.partition(":")
    start, end = _position(first), _position(last)
    if start is None or end is None or start not in grid:
        return
    for row in sorted(r for r in filled_rows if start[0] <= r <= end[0]):
        for column in range(start[1], end[1] + 1):
            grid.setdefault((row, column), grid[start])


def _rows(grid: Grid) -> list[list[str]]:
    """Rows of the used columns; an empty row is dropped, so is an empty column."""
    if not grid:
        return []
    columns = sorted({column for _, column in grid})
    rows = sorted({row for row, _ in grid})
    return [[grid.get((row, column), "") for column in columns] for row in rows]


def _row_sections(rows: list[list[str]]) -> str:
    """One ``###`` per row, named by its first cell, the other cells as "header : value"."""
    header, *body = rows
    sections = []
    for number, row in enumerate(body, start=2):
        heading = cell(row[0]) or f"Ligne {number}"
        lines = [
            f"- **{cell(name) or f'Colonne {i + 1}'}** : {cell(value)}"
            for i, (name, value) in enumerate(zip(header, row, strict=True))
            if i and value.strip()
        ]
        sections.append("\n".join([f"### {heading}", "", *lines]))
    return "\n\n".join(sections)
