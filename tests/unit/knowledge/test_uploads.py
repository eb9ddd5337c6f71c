"""Uploaded .docx, .xlsx and .md files become knowledge Markdown the chunker splits by heading."""

from __future__ import annotations

import pytest

from pierre_rag.knowledge.chunking import chunk_markdown
from pierre_rag.knowledge.sources import split_front_matter
from pierre_rag.knowledge.uploads import UploadRefused, convert
from tests.unit.knowledge.ooxml import (
    DECLARATION,
    S_NS,
    W_NS,
    docx,
    paragraph,
    sheet_xml,
    word_table,
    xlsx,
)

FRENCH_STYLES = {"Titre1": "heading 1", "Titre2": "heading 2", "Titre3": "heading 3"}


def _body(markdown: str) -> str:
    return split_front_matter(markdown, "upload")[1]


def test_french_and_english_heading_styles_become_markdown_headings():
    # Given a document written by French Word (ids Titre1…) and one by English Word (Heading1…)
    body = (
        paragraph("Horaires des agences", "Titre1")
        + paragraph("Agence Nord", "Titre2")
        + paragraph("Ouverte le lundi matin.")
        + paragraph("Le samedi ?", "Titre3")
        + paragraph("Fermée.")
    )
    english = body.replace("Titre", "Heading")

    # When both are converted, styles.xml or not
    french_md = convert("horaires.docx", docx(body, style_names=FRENCH_STYLES)).markdown
    english_md = convert("horaires.docx", docx(english)).markdown

    # Then the heading levels follow the styles, and the title is the first heading
    expected = (
        "# Horaires des agences\n\n## Agence Nord\n\nOuverte le lundi matin.\n\n"
        "### Le samedi ?\n\nFermée.\n"
    )
    assert _body(french_md).strip() == expected.strip()
    assert english_md == french_md
    assert split_front_matter(french_md, "x")[0].model_extra == {"title": "Horaires des agences"}


def test_a_document_without_heading_takes_its_title_from_the_file_name():
    converted = convert("gardiens_residence-les-pins.docx", docx(paragraph("Appelez M. Martin.")))

    assert converted.markdown.startswith("---\ntitle: Gardiens residence les pins\n---\n")
    assert "# Gardiens residence les pins\n\nAppelez M. Martin." in converted.markdown


def test_a_document_with_two_first_level_headings_is_converted_with_a_warning():
    body = paragraph("Horaires", "Heading1") + paragraph("9h.") + paragraph("Tarifs", "Heading1")

    converted = convert("h.docx", docx(body + paragraph("Gratuit.")))

    assert converted.markdown.startswith("---\ntitle: Horaires\n")
    assert converted.warnings == (
        "plusieurs titres de niveau 1 : le premier donne son titre à l'article",
    )


def test_list_items_stay_one_list_with_their_depth():
    body = (
        paragraph("Pièces à fournir :")
        + paragraph("avis d'imposition", list_level=0)
        + paragraph("des deux dernières années", list_level=1)
        + paragraph("pièce d'identité", list_level=0)
    )

    markdown = _body(convert("pieces.docx", docx(body)).markdown)

    assert (
        "Pièces à fournir :\n\n- avis d'imposition\n  - des deux dernières années\n"
        "- pièce d'identité\n"
    ) in markdown


def test_numbered_lists_stay_numbered_and_bullets_stay_bullets():
    # Given numbering.xml: list 1 numbered with digits, list 2 with bullets
    numbering = (
        f'{DECLARATION}<w:numbering xmlns:w="{W_NS}">'
        '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl>'
        "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl>'
        "</w:abstractNum>"
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>'
    )
    body = (
        paragraph("Appelez l'agence.", list_level=0)
        + paragraph("Envoyez le formulaire.", list_level=0)
        + paragraph("Documents :")
        + paragraph("avis d'imposition", list_level=0).replace(
            'w:numId w:val="1"', 'w:numId w:val="2"'
        )
    )

    markdown = _body(
        convert("d.docx", docx(body, extra={"word/numbering.xml": numbering})).markdown
    )

    assert "1. Appelez l'agence.\n1. Envoyez le formulaire.\n\nDocuments :\n\n- avis" in markdown


def test_numbers_a_hostile_file_garbles_fall_back_instead_of_failing():
    body = paragraph("Étape", list_level=0).replace('w:ilvl w:val="0"', 'w:ilvl w:val="²"') + (
        word_table([["A", ("B", '<w:gridSpan w:val="abc"/>')], ["1", "2"]])
    )

    markdown = _body(convert("d.docx", docx(body)).markdown)

    assert "- Étape\n\n| A | B |\n| --- | --- |\n| 1 | 2 |" in markdown


def test_a_cell_span_is_bounded_by_words_column_limit():
    body = word_table([["A", ("B", '<w:gridSpan w:val="50000"/>')]])

    header = _body(convert("d.docx", docx(paragraph("Tableau") + body)).markdown).splitlines()[-2]

    assert header.count(" B |") == 63


def test_word_tables_are_kept_with_spans_and_vertical_merges_repeated():
    # Given a table whose "Agence" cell spans two rows and whose last row spans two columns
    table = word_table(
        [
            ["Agence", "Horaires"],
            [("Nord", '<w:vMerge w:val="restart"/>'), "9h-12h"],
            [("", "<w:vMerge/>"), "14h-17h | sur rendez-vous"],
            [("Fermé le dimanche", '<w:gridSpan w:val="2"/>')],
        ]
    )

    markdown = _body(
        convert("horaires.docx", docx(paragraph("Horaires", "Heading1") + table)).markdown
    )

    assert (
        "| Agence | Horaires |\n| --- | --- |\n| Nord | 9h-12h |\n"
        "| Nord | 14h-17h \\| sur rendez-vous |\n| Fermé le dimanche | Fermé le dimanche |"
    ) in markdown


def test_each_sheet_is_a_table_with_merged_cells_repeated_and_empty_rows_dropped():
    sheet = sheet_xml(
        [
            ["Agence", "Jour", "Ouverture"],
            ["Nord", "lundi", 9],
            [None, "mardi", 10],
            [],
            ["Sud", "lundi", 8],
        ],
        merges=["A2:A3"],
    )

    markdown = _body(
        convert("agences.xlsx", xlsx({"Horaires": sheet, "Vide": sheet_xml([])})).markdown
    )

    assert markdown.strip() == (
        "# Agences\n\n## Horaires\n\n| Agence | Jour | Ouverture |\n| --- | --- | --- |\n"
        "| Nord | lundi | 9 |\n| Nord | mardi | 10 |\n| Sud | lundi | 8 |"
    )


def test_shared_strings_are_read_with_rich_text_runs_and_without_phonetic_hints():
    # Given a sheet as Excel writes it: strings in sharedStrings.xml, cells pointing at them
    shared = (
        f'{DECLARATION}<sst xmlns="{S_NS}"><si><t>Agence</t></si>'
        "<si><r><t>Nord </t></r><r><rPr><b/></rPr><t>(siège)</t></r>"
        "<rPh><t>ノール</t></rPh></si></sst>"
    )
    sheet = (
        f'{DECLARATION}<worksheet xmlns="{S_NS}"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )

    data = xlsx({"Agences": sheet}, extra={"xl/sharedStrings.xml": shared})
    markdown = _body(convert("a.xlsx", data).markdown)

    assert "| Agence |\n| --- |\n| Nord (siège) |" in markdown


def test_a_merge_over_a_whole_column_adds_no_row():
    sheet = sheet_xml([["Bailleur", "Agence"], ["Pierre Habitat", "Nord"]], merges=["A2:A1048576"])

    markdown = _body(convert("a.xlsx", xlsx({"Agences": sheet})).markdown)

    assert markdown.strip().endswith("| --- | --- |\n| Pierre Habitat | Nord |")


def test_a_sheet_can_become_one_section_per_row():
    sheet = sheet_xml([["Résidence", "Gardien", "Téléphone"], ["Les Pins", "M. Martin", None]])

    markdown = _body(
        convert("gardiens.xlsx", xlsx({"Gardiens": sheet}), rows_as_sections=True).markdown
    )

    assert "### Les Pins\n\n- **Gardien** : M. Martin" in markdown
    assert "Téléphone" not in markdown  # an empty cell is not listed


def test_rows_as_sections_chunk_one_chunk_per_row_under_the_sheet():
    # Given rows long enough to stand alone (the chunker folds small sections into their parent)
    rows = [["Question", "Réponse"]] + [
        [f"Comment joindre l'agence {n} ?", f"Appelez l'agence {n} du lundi au vendredi. " * 3]
        for n in range(3)
    ]

    markdown = convert("faq.xlsx", xlsx({"FAQ": sheet_xml(rows)}), rows_as_sections=True).markdown
    chunks = chunk_markdown(_body(markdown))

    # (the headings alone above them are one small chunk, as in any knowledge file)
    assert [c.heading_path for c in chunks if "Réponse" in c.text] == [
        ("Faq", "FAQ", f"Comment joindre l'agence {n} ?") for n in range(3)
    ]


def test_docx_sections_chunk_as_knowledge_files_do():
    long = "Le bureau est ouvert du lundi au vendredi, de neuf heures à midi. " * 10
    body = (
        paragraph("Agences", "Heading1")
        + paragraph("Nos deux agences vous reçoivent en semaine.")
        + paragraph("Nord", "Heading2")
        + paragraph(long)
        + paragraph("Sud", "Heading2")
        + paragraph(long)
    )

    chunks = chunk_markdown(_body(convert("agences.docx", docx(body)).markdown))

    # (the short introduction is folded into the document's root chunk, as in any article)
    assert [c.heading_path for c in chunks] == [(), ("Agences", "Nord"), ("Agences", "Sud")]
    assert "Nos deux agences" in chunks[0].text


def test_markdown_with_a_title_is_kept_as_written():
    text = "---\ntitle: Horaires\nupdated: 2026-11\n---\n\n# Horaires\n\nDe 9h à 12h.\n"

    converted = convert("horaires.md", text.encode())

    assert converted.markdown == text
    assert converted.warnings == ()


def test_markdown_without_front_matter_gets_its_title_from_the_h1():
    converted = convert("h.md", "\ufeff# Horaires d'été\n\nDe 9h à 12h.\n".encode())

    assert (
        converted.markdown
        == "---\ntitle: Horaires d'été\n---\n\n# Horaires d'été\n\nDe 9h à 12h.\n"
    )


def test_markdown_with_a_front_matter_but_no_title_is_kept_with_a_warning():
    converted = convert("h.md", b"---\nupdated: 2026-11\n---\n\nDe 9h.\n")

    assert converted.warnings == ("l'en-tête n'a pas de titre : le titre affiché sera « H »",)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("# Titre\n".encode("utf-16"), "UTF-8"),
        (b"---\ntitle: [\n---\n# T\n", "front matter"),
        (b"---\naccess: secret\n---\n# T\ntexte\n", "front matter"),
        (b"---\ntitle: T\n", "front matter"),
    ],
)
def test_unreadable_markdown_is_refused(data: bytes, reason: str):
    with pytest.raises(UploadRefused, match=reason):
        convert("page.md", data)
