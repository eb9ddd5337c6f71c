"""A landlord's PDF becomes knowledge Markdown: its bookmarks become sections and its lines
paragraphs; what cannot be read safely is refused with a French reason."""

from __future__ import annotations

import zlib

import pytest

from pierre_rag.knowledge.chunking import chunk_markdown
from pierre_rag.knowledge.sources import split_front_matter
from pierre_rag.knowledge.uploads import UploadLimits, UploadRefused, convert
from tests.unit.knowledge.pdfs import Bookmark, pdf

HOURS_PAGE = [
    "Horaires des agences",
    "L'agence de Saint-",
    "Denis vous accueille du lundi au",
    "vendredi de 9 h à 12 h.",
    "• Le mardi : fermée l'après-midi.",
    "• Le jeudi : ouverte jusqu'à 18 h.",
    "Sans rendez-vous",
    "Le matin, sans rendez-vous.",
]
CARETAKER_PAGE = ["Chaque résidence a son gardien, joignable au 01 23 45 67 89."]
BOOKMARKS = [
    Bookmark("Horaires des agences", 0, (Bookmark("Sans rendez-vous", 0),)),
    Bookmark("Gardiens", 1),
]


def _body(markdown: str) -> str:
    return split_front_matter(markdown, "test")[1].lstrip()


def test_bookmarks_become_sections_where_their_titles_are_printed():
    # Given a two-page guide with nested bookmarks and a title in its metadata
    data = pdf([HOURS_PAGE, CARETAKER_PAGE], bookmarks=BOOKMARKS, title="Guide du locataire")

    # When it is converted
    converted = convert("guide.pdf", data)

    # Then its sections follow the bookmarks, and the printed titles are not repeated as text
    lines = _body(converted.markdown).splitlines()
    headings = [line for line in lines if line.startswith("#")]
    assert headings == [
        "# Guide du locataire",
        "## Horaires des agences",
        "### Sans rendez-vous",
        "## Gardiens",
    ]
    assert lines.count("Horaires des agences") == 0
    assert "vendredi de 9 h à 12 h." in converted.markdown  # accents kept
    assert any("relisez" in warning for warning in converted.warnings)


def test_lines_are_joined_into_paragraphs_and_bullets_into_a_list():
    converted = convert("guide.pdf", pdf([HOURS_PAGE], bookmarks=BOOKMARKS[:1]))

    paragraphs = _body(converted.markdown).split("\n\n")
    assert (
        "L'agence de Saint-Denis vous accueille du lundi au vendredi de 9 h à 12 h." in paragraphs
    )
    assert "- Le mardi : fermée l'après-midi." in paragraphs
    assert "- Le jeudi : ouverte jusqu'à 18 h." in paragraphs


def test_long_enough_sections_make_one_chunk_each_with_their_heading_path():
    # Given two bookmarked pages of about 600 characters each
    rules = [
        f"Règle {n} : le gardien passe chaque semaine dans les parties communes." for n in range(9)
    ]
    payment = [f"Cas {n} : le loyer se paie avant le 5 du mois, par prélèvement." for n in range(9)]
    bookmarks = [Bookmark("Le gardien", 0), Bookmark("Le loyer", 1)]
    converted = convert("guide.pdf", pdf([rules, payment], bookmarks=bookmarks, title="Guide"))

    # When the landlord's build chunks it
    chunks = [chunk for chunk in chunk_markdown(_body(converted.markdown)) if chunk.heading_path]

    # Then each section is a chunk under its own heading
    assert [chunk.heading_path[-1] for chunk in chunks] == ["Le gardien", "Le loyer"]
    assert "Règle 8" in chunks[0].text and "Cas 8" in chunks[1].text


def test_without_bookmarks_there_is_one_section_and_a_warning():
    converted = convert("horaires-agences.pdf", pdf([CARETAKER_PAGE]))

    assert _body(converted.markdown).startswith("# Horaires agences\n")  # from the file name
    assert any("sans signets" in warning for warning in converted.warnings)


def test_a_password_protected_pdf_is_refused():
    with pytest.raises(UploadRefused, match="mot de passe"):
        convert("guide.pdf", pdf([CARETAKER_PAGE], password="secret"))


def test_a_pdf_over_the_page_limit_is_refused():
    data = pdf([CARETAKER_PAGE] * 3)

    with pytest.raises(UploadRefused, match="3 pages pour 2 au plus"):
        convert("guide.pdf", data, limits=UploadLimits(max_pdf_pages=2))


def test_more_text_than_the_uncompressed_limit_is_refused():
    # Given 40 pages, each under the limit, together over it
    data = pdf([CARETAKER_PAGE] * 40)

    with pytest.raises(UploadRefused, match="trop volumineux une fois décompressé"):
        convert("guide.pdf", data, limits=UploadLimits(max_uncompressed_bytes=1000))


def test_a_compressed_stream_inflating_past_the_limit_is_refused_before_it_is_read():
    # Given a page whose content stream inflates 2 MB of spaces from a few kilobytes
    stream = zlib.compress(b" " * 2_000_000 + b"BT /F1 11 Tf 72 770 Td (x) Tj ET", 9)
    data = _with_content_stream(pdf([["placeholder"]]), stream)

    with pytest.raises(UploadRefused, match="endommagé"):
        convert("guide.pdf", data, limits=UploadLimits(max_uncompressed_bytes=100_000))


def test_a_scan_without_text_is_refused_as_empty():
    with pytest.raises(UploadRefused, match="vide"):
        convert("scan.pdf", pdf([[]]))


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 a zip, not a PDF", b"%PDF-1.7\n" + bytes(range(256)) * 4, b""],
    ids=["not-a-pdf", "garbage-after-the-header", "empty"],
)
def test_what_is_not_a_readable_pdf_is_refused(data: bytes):
    with pytest.raises(UploadRefused, match="illisible"):
        convert("guide.pdf", data)


def _with_content_stream(data: bytes, compressed: bytes) -> bytes:
    """``data`` with its page's content stream replaced by a FlateDecode one."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, NumberObject, StreamObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    stream = StreamObject()
    stream._data = compressed
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream[NameObject("/Length")] = NumberObject(len(compressed))
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
