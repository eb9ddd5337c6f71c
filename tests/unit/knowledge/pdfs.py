"""Real PDF files for the converter's tests, written with pypdf: pages of text lines in a
standard font (WinAnsi, so French accents), bookmarks, a title, a password."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, IndirectObject, NameObject

LINE_HEIGHT = 14


@dataclass(frozen=True)
class Bookmark:
    title: str
    page: int
    children: tuple[Bookmark, ...] = ()


def _escaped(line: str) -> bytes:
    raw = line.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(lines: Sequence[str]) -> bytes:
    """A content stream printing each line below the previous one (an empty line skips one)."""
    ops = [b"BT /F1 11 Tf 72 770 Td"]
    for index, line in enumerate(lines):
        if index:
            ops.append(f"0 -{LINE_HEIGHT} Td".encode())
        ops.append(b"(" + _escaped(line) + b") Tj")
    ops.append(b"ET")
    return b"\n".join(ops)


def pdf(
    pages: Sequence[Sequence[str]],
    *,
    bookmarks: Sequence[Bookmark] = (),
    title: str | None = None,
    password: str | None = None,
) -> bytes:
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    for lines in pages:
        page = writer.add_blank_page(595, 842)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        stream = DecodedStreamObject()
        stream.set_data(_content(lines))
        page[NameObject("/Contents")] = writer._add_object(stream)

    def add(items: Sequence[Bookmark], parent: IndirectObject | None = None) -> None:
        for item in items:
            added = writer.add_outline_item(title=item.title, page_number=item.page, parent=parent)
            add(item.children, added)

    add(bookmarks)
    if title:
        writer.add_metadata({"/Title": title})
    if password:
        writer.encrypt(password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
