"""Minimal valid .docx and .xlsx files written with zipfile, for the upload converter's tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def zip_bytes(parts: Mapping[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()


def content_types(main_part: str, main_type: str) -> str:
    return (
        f'{DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    )


# --- Word -------------------------------------------------------------------------------------


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def paragraph(text: str, style: str | None = None, list_level: int | None = None) -> str:
    properties = ""
    if style:
        properties += f"<w:pStyle w:val={quoteattr(style)}/>"
    if list_level is not None:
        properties += f'<w:numPr><w:ilvl w:val="{list_level}"/><w:numId w:val="1"/></w:numPr>'
    ppr = f"<w:pPr>{properties}</w:pPr>" if properties else ""
    return f"<w:p>{ppr}{run(text)}</w:p>"


def word_table(rows: Sequence[Sequence[str | tuple[str, str]]]) -> str:
    """Cells are text, or (text, tcPr inner XML) for spans and vertical merges."""
    body = ""
    for row in rows:
        cells = ""
        for value in row:
            text, properties = value if isinstance(value, tuple) else (value, "")
            tcpr = f"<w:tcPr>{properties}</w:tcPr>" if properties else ""
            cells += f"<w:tc>{tcpr}{paragraph(text)}</w:tc>"
        body += f"<w:tr>{cells}</w:tr>"
    return f"<w:tbl>{body}</w:tbl>"


def styles(names: Mapping[str, str]) -> str:
    """Style id → display name, as Word writes them (French Word: "Titre1" → "heading 1")."""
    entries = "".join(
        f'<w:style w:type="paragraph" w:styleId={quoteattr(i)}><w:name w:val={quoteattr(n)}/>'
        "</w:style>"
        for i, n in names.items()
    )
    return f'{DECLARATION}<w:styles xmlns:w="{W_NS}">{entries}</w:styles>'


def docx(
    body_xml: str,
    *,
    style_names: Mapping[str, str] | None = None,
    extra: Mapping[str, str | bytes] | None = None,
    main_type: str = DOCX_MAIN,
) -> bytes:
    document = f'{DECLARATION}<w:document xmlns:w="{W_NS}"><w:body>{body_xml}</w:body></w:document>'
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": content_types("word/document.xml", main_type),
        "_rels/.rels": (
            f'{DECLARATION}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{R_NS}/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": document,
    }
    if style_names is not None:
        parts["word/styles.xml"] = styles(style_names)
    parts.update(extra or {})
    return zip_bytes(parts)


# --- Excel ------------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def sheet_xml(rows: Sequence[Sequence[str | int | None]], merges: Sequence[str] = ()) -> str:
    """Strings are written inline, numbers as numbers, ``None`` as no cell."""
    xml_rows = ""
    for r, row in enumerate(rows, start=1):
        cells = ""
        for c, value in enumerate(row):
            ref = f"{column_letter(c)}{r}"
            if isinstance(value, int):
                cells += f'<c r="{ref}"><v>{value}</v></c>'
            elif value is not None:
                cells += f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        xml_rows += f'<row r="{r}">{cells}</row>'
    merge_xml = "".join(f'<mergeCell ref="{ref}"/>' for ref in merges)
    merged = f'<mergeCells count="{len(merges)}">{merge_xml}</mergeCells>' if merges else ""
    sheet_data = f"<sheetData>{xml_rows}</sheetData>"
    return f'{DECLARATION}<worksheet xmlns="{S_NS}">{sheet_data}{merged}</worksheet>'


def xlsx(sheets: Mapping[str, str], *, extra: Mapping[str, str | bytes] | None = None) -> bytes:
    """Sheet name → sheet XML (see :func:`sheet_xml`)."""
    entries = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheets, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{R_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": content_types("xl/workbook.xml", XLSX_MAIN),
        "xl/workbook.xml": (
            f'{DECLARATION}<workbook xmlns="{S_NS}" xmlns:r="{R_NS}"><sheets>{entries}</sheets>'
            "</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{DECLARATION}<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>'
        ),
    }
    for i, xml in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    parts.update(extra or {})
    return zip_bytes(parts)
