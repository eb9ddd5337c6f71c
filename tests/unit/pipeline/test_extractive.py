"""Extractive answers (no LLM): how much is quoted, and how, is the channel's style."""

from __future__ import annotations

import dataclasses

from pierre_rag.pipeline.channels import SMS, WEB
from pierre_rag.pipeline.extractive import extractive_answer
from pierre_rag.pipeline.models import Source

LONG = " ".join(f"Phrase numéro {n} du paragraphe, assez longue pour compter." for n in range(30))
SOURCES = [
    Source(number=n, file=f"f{n}.md", title=f"Titre {n}", heading=f"Section {n}", breadcrumb="b")
    for n in (1, 2, 3)
]
TEXTS = [f"Début {n}. {LONG}" for n in (1, 2, 3)]


def test_by_sms_one_section_is_quoted_in_plain_text_with_the_short_contact():
    # Given three sections found
    # When an extractive answer is written for SMS
    text = extractive_answer(
        SOURCES, TEXTS, language="fr", style=SMS, handoff="Agence Exemple, 01 99 00 00 00"
    )

    # Then it quotes the best section only, briefly, on one line, then the contact
    assert text.startswith("Section 1 : Début 1. Phrase numéro 0")
    assert "Section 2" not in text and "\n" not in text
    assert text.endswith(" Pour une réponse personnalisée : Agence Exemple, 01 99 00 00 00.")
    body = text.removeprefix("Section 1 : ").split(" Pour une réponse")[0]
    assert len(body) <= SMS.excerpt_chars


def test_on_the_web_two_sections_are_quoted_with_their_numbers_and_a_note():
    # Given three sections found
    # When an extractive answer is written for the web, in English, without a contact
    text = extractive_answer(SOURCES, TEXTS, language="en", style=WEB, handoff=None)

    # Then two sections are quoted under bold numbered headings, framed in the user's language
    assert text.startswith("Here are the passages of our knowledge base")
    assert "**Section 1** [1]" in text and "**Section 2** [2]" in text
    assert "Section 3" not in text
    assert text.endswith("_Automatic answer made of excerpts; check they fit your situation._")


def test_the_number_of_sections_quoted_follows_the_style():
    # Given a plain-text style that quotes two sections
    style = dataclasses.replace(SMS, excerpt_sections=2, excerpt_chars=40)

    # When an extractive answer is written with it
    text = extractive_answer(SOURCES, TEXTS, language="fr", style=style, handoff=None)

    # Then each of the two best sections has its own line
    assert [line.split(" : ")[0] for line in text.splitlines()] == ["Section 1", "Section 2"]
