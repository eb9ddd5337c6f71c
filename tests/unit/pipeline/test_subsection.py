"""The folded sub-section a question names is the one an extractive answer quotes."""

from __future__ import annotations

from pierre_rag.pipeline.channels import WEB
from pierre_rag.pipeline.extractive import extractive_answer, focus
from pierre_rag.pipeline.models import Source
from pierre_rag.pipeline.retrieve import Grounding
from pierre_rag.pipeline.subsection import named_sub_section, narrowed

# One chunk: the agencies' section with three short agency sections folded into it
AGENCIES = """## Nos agences de proximité

Nos agences vous reçoivent sur rendez-vous. Chaque agence suit les résidences de son
secteur et répond à vos demandes de travaux.

### Agence de Brest

12 rue de Siam, ouverte du lundi au jeudi de 9 h à 12 h.

### Agence de Morlaix

3 place des Otages, ouverte le mardi et le vendredi de 14 h à 17 h.

### Agence de Quimper

8 quai de l'Odet, ouverte le mercredi de 9 h à 12 h.
"""
SOURCE = Source(
    number=1,
    file="agences.md",
    title="Nous contacter",
    heading="Nos agences de proximité",
    breadcrumb="Nous contacter > Nos agences de proximité",
    url="/api/landlords/exemple.fr/articles/agences.md#nos-agences-de-proximite",
)


def test_the_question_names_one_folded_sub_section():
    assert named_sub_section("l'agence de Morlaix ouvre quand ?", SOURCE, AGENCIES) == (
        "Agence de Morlaix"
    )


def test_words_the_section_already_holds_name_no_sub_section():
    # "agence" is in every sub-heading and in the section's own: it tells none apart
    assert named_sub_section("quelle agence est ouverte ?", SOURCE, AGENCIES) is None


def test_two_sub_sections_named_as_much_name_none():
    assert named_sub_section("Brest ou Quimper, laquelle ouvre ?", SOURCE, AGENCIES) is None


def test_the_sub_section_ends_at_the_next_heading_of_its_level_and_is_named_and_linked():
    source, text = narrowed(SOURCE, AGENCIES, "Agence de Morlaix")

    assert text.splitlines()[0] == "### Agence de Morlaix"
    assert "place des Otages" in text
    assert "Quimper" not in text and "Brest" not in text
    assert source.heading == "Agence de Morlaix"
    assert source.breadcrumb == "Nous contacter > Nos agences de proximité > Agence de Morlaix"
    assert source.url == "/api/landlords/exemple.fr/articles/agences.md#agence-de-morlaix"


def test_a_staff_file_stays_without_a_link():
    source, _ = narrowed(SOURCE.model_copy(update={"url": None}), AGENCIES, "Agence de Brest")

    assert source.url is None


def test_the_answer_quotes_the_agency_asked_about_not_the_introduction():
    # Given the agencies' chunk found first for a question about one agency
    grounding = Grounding([SOURCE], [AGENCIES])
    question = "l'agence de Morlaix ouvre quand ?"

    # When the extractive answer is written
    quoted = focus(grounding, question, sections=1, further=0).grounding()
    text = extractive_answer(
        quoted.sources, quoted.texts, language="fr", style=WEB, handoff="Agence, 01 99 00 00 00"
    )

    # Then it quotes Morlaix's hours, under Morlaix's heading, and not the introduction
    assert "mardi et le vendredi de 14 h à 17 h" in text
    assert "sur rendez-vous" not in text
    assert [s.heading for s in quoted.sources] == ["Agence de Morlaix"]


def test_a_question_naming_no_sub_section_keeps_the_whole_section():
    grounding = Grounding([SOURCE], [AGENCIES])

    quoted = focus(grounding, "comment prendre rendez-vous ?", sections=1, further=0).grounding()

    assert quoted.sources[0].heading == "Nos agences de proximité"
    assert quoted.texts[0] == AGENCIES


def test_a_named_sub_section_with_nothing_to_quote_leaves_the_whole_section():
    # Given Morlaix's sub-section holds only its heading and a pointer
    bare = AGENCIES.replace(
        "3 place des Otages, ouverte le mardi et le vendredi de 14 h à 17 h.", "Voir plus bas."
    )
    grounding = Grounding([SOURCE], [bare])

    quoted = focus(grounding, "l'agence de Morlaix ?", sections=1, further=0).grounding()

    assert quoted.sources[0].heading == "Nos agences de proximité"


def test_a_hash_line_inside_fenced_code_is_not_a_sub_section():
    # Given a sub-section whose code block holds a "# Morlaix" comment line, as the chunker
    # reads it (not a heading)
    fenced = AGENCIES + "\n```\n# Morlaix\nrien à citer ici, un exemple de code seulement\n```\n"

    # Then only the real heading is named, and it ends where the chunker says
    assert named_sub_section("l'agence de Morlaix ?", SOURCE, fenced) == "Agence de Morlaix"
