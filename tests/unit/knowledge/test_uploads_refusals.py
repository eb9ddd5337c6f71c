"""Hostile or unusable uploads are refused with a French reason, before anything is produced."""

from __future__ import annotations

import io
import zipfile

import pytest

from pierre_rag.knowledge.uploads import UploadLimits, UploadRefused, convert
from pierre_rag.knowledge.uploads.package import OoxmlPackage
from tests.unit.knowledge.ooxml import (
    DECLARATION,
    W_NS,
    docx,
    paragraph,
    sheet_xml,
    xlsx,
    zip_bytes,
)

MACRO_WORD = "application/vnd.ms-word.document.macroEnabled.main+xml"


def _bomb(size: int) -> bytes:
    """A .docx whose extra part inflates ``size`` zero bytes from a few kilobytes."""
    return docx(paragraph("Bonjour"), extra={"word/media/bomb.bin": b"\0" * size})


@pytest.mark.parametrize("name", ["horaires.docm", "tarifs.xlsm", "modele.DOTM"])
def test_macro_enabled_extensions_are_refused(name: str):
    with pytest.raises(UploadRefused, match="macros"):
        convert(name, docx(paragraph("Bonjour")))


def test_a_vba_project_part_is_refused_whatever_the_extension():
    data = docx(paragraph("Bonjour"), extra={"word/vbaProject.bin": b"\x00VBA"})

    with pytest.raises(UploadRefused, match="vbaProject"):
        convert("horaires.docx", data)


def test_a_macro_enabled_content_type_is_refused():
    with pytest.raises(UploadRefused, match="macroEnabled"):
        convert("horaires.docx", docx(paragraph("Bonjour"), main_type=MACRO_WORD))


@pytest.mark.parametrize("name", ["horaires.odt", "horaires.doc", "horaires", "script.py"])
def test_unknown_extensions_are_refused(name: str):
    with pytest.raises(UploadRefused, match="non pris en charge"):
        convert(name, b"# Bonjour\n")


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(UploadRefused, match="trop volumineux"):
        convert("page.md", b"# Bonjour\n" + b"a" * 2000, limits=UploadLimits(max_bytes=1000))


def test_a_zip_bomb_is_refused_from_the_directory_by_its_ratio():
    # Given 20 MB of zeros compressed to ~20 kB (ratio ~1000) under the 50 MB total
    data = _bomb(20 * 1024 * 1024)
    assert len(data) < 100_000

    with pytest.raises(UploadRefused, match="bombe"):
        convert("horaires.docx", data)


def test_a_package_over_the_uncompressed_total_is_refused_from_the_directory():
    limits = UploadLimits(max_uncompressed_bytes=100_000, max_ratio=1e9)

    with pytest.raises(UploadRefused, match="décompressé dépasse"):
        convert("horaires.docx", _bomb(200_000), limits=limits)


def test_too_many_members_are_refused():
    extra = {f"word/media/{n}.bin": b"x" for n in range(20)}

    with pytest.raises(UploadRefused, match="parties"):
        convert(
            "h.docx", docx(paragraph("Bonjour"), extra=extra), limits=UploadLimits(max_members=10)
        )


def test_reading_stops_when_a_part_inflates_past_what_the_directory_declared():
    # Given a directory that lies: the part declares 10 bytes and inflates to a megabyte
    data = bytearray(zip_bytes({"[Content_Types].xml": b"<Types/>", "big.xml": b"\0" * 1_000_000}))
    for header in (b"PK\x01\x02", b"PK\x03\x04"):  # central directory, then local header
        start = data.rfind(header) if header == b"PK\x01\x02" else data.find(header, 40)
        size_at = start + (24 if header == b"PK\x01\x02" else 22)
        data[size_at : size_at + 4] = (10).to_bytes(4, "little")
    package = OoxmlPackage(bytes(data), UploadLimits(max_uncompressed_bytes=5000))

    # When the part is read, then reading stops: no megabyte ends up in memory
    with pytest.raises(UploadRefused, match="endommagé"):
        package.read("big.xml")


def test_reading_stops_once_the_parts_read_pass_the_uncompressed_total():
    # Given a package within its limits, whose parts are read more than once in all
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "part.xml": b"<a/>" + b" " * 3000})
    package = OoxmlPackage(data, UploadLimits(max_uncompressed_bytes=5000))
    package.read("part.xml")

    # When reading goes past the total, then it stops there
    with pytest.raises(UploadRefused, match="décompressé dépasse"):
        package.read("part.xml")


def test_a_doctype_is_refused_before_any_entity_is_expanded():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )

    with pytest.raises(UploadRefused, match="DOCTYPE"):
        convert("h.docx", docx("", extra={"word/document.xml": laughs}))


def test_the_parser_itself_refuses_a_doctype_the_byte_scan_would_miss():
    # Given a UTF-16 part: its bytes do not read "<!DOCTYPE" to the byte scan
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d SYSTEM "file:///etc/passwd"><d/>'
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "d.xml": xml.encode("utf-16")})

    with pytest.raises(UploadRefused, match="DOCTYPE"):
        OoxmlPackage(data, UploadLimits()).xml("d.xml")


@pytest.mark.parametrize(
    "data",
    [
        b"not a zip at all",
        zip_bytes({"[Content_Types].xml": b"<Types/>"})[:-30],  # truncated directory
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,  # encrypted Office / old .doc
        zip_bytes({"a.txt": b"hello"}),  # a zip, not an Office document
    ],
)
def test_corrupt_or_encrypted_files_are_refused(data: bytes):
    with pytest.raises(UploadRefused, match=r"illisible|chiffré|endommagé"):
        convert("h.docx", data)


def test_a_corrupt_part_is_refused():
    data = bytearray(docx(paragraph("Bonjour " * 200)))
    start = data.find(b"word/document.xml") + len("word/document.xml")
    data[start + 10 : start + 40] = b"\xff" * 30  # damage the deflated bytes

    with pytest.raises(UploadRefused, match="endommagé"):
        convert("h.docx", bytes(data))


@pytest.mark.parametrize(
    "xml",
    [b'<?xml version="1.0" encoding="klingon"?><a/>', b"\xff\xfe\x00", b"<a>" * 1000],
)
def test_unparsable_xml_is_refused(xml: bytes):
    with pytest.raises(UploadRefused, match="XML invalide"):
        convert("d.docx", docx("", extra={"word/document.xml": xml}))


def test_an_encrypted_member_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
    data = bytearray(buffer.getvalue())
    for header, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(header)
        data[start + flag_at] |= 0x1

    with pytest.raises(UploadRefused, match="chiffré"):
        convert("h.xlsx", bytes(data))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("vide.docx", docx(paragraph("   ") + paragraph(""))),
        ("vide.xlsx", xlsx({"Feuil1": sheet_xml([[None, "  "], []])})),
        ("vide.md", b"---\ntitle: Vide\n---\n\n"),
        ("vide.md", b""),
    ],
)
def test_files_without_text_are_refused(name: str, data: bytes):
    with pytest.raises(UploadRefused, match="vide"):
        convert(name, data)


def test_a_document_part_missing_is_unreadable():
    data = zip_bytes({"[Content_Types].xml": f"{DECLARATION}<Types/>"})

    with pytest.raises(UploadRefused, match="document Word"):
        convert("h.docx", data)
