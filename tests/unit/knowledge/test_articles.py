"""The articles a source links to: which paths may name one, their address, their sections."""

from __future__ import annotations

import pytest

from pierre_rag.knowledge.articles import (
    TENANT_ACCESS,
    anchor,
    article_of,
    article_url,
    is_article_path,
    readable_by_tenants,
)
from pierre_rag.knowledge.browse import FileEntry, Section
from pierre_rag.knowledge.models import AccessLevel


@pytest.mark.parametrize(
    "path",
    [
        "commun/dalo.md",
        "pierre-habitat.fr/public/agences-et-horaires.md",
        "faq_2024.md",
        "commun/préavis.md",
    ],
)
def test_a_knowledge_file_path_names_an_article(path: str) -> None:
    assert is_article_path(path)


@pytest.mark.parametrize(
    "path",
    [
        "../landlord.yaml",
        "commun/../pierre-habitat.fr/staff/procedure-astreinte.md",
        "commun/./dalo.md",
        "/etc/passwd.md",
        "commun//dalo.md",
        "commun\\dalo.md",
        "commun/.hidden.md",
        "commun/dalo.md.bak",
        "pierre-habitat.fr/landlord.yaml",
        "commun/dalo%2e.md",
        "commun/da lo.md",
        "",
        "a/" * 150 + "b.md",
    ],
)
def test_anything_else_is_refused_before_the_datastore_is_asked(path: str) -> None:
    assert not is_article_path(path)


def test_tenants_read_the_community_and_public_files_never_the_staff_ones() -> None:
    assert set(TENANT_ACCESS) == {AccessLevel.COMMUNITY, AccessLevel.PUBLIC}
    assert readable_by_tenants(AccessLevel.COMMUNITY)
    assert readable_by_tenants(AccessLevel.PUBLIC)
    assert not readable_by_tenants(AccessLevel.STAFF)


def test_an_article_address_is_on_the_chat_api_with_its_section_as_fragment() -> None:
    url = article_url("pierre-habitat.fr", "commun/préavis.md", "Préavis réduit à un mois ?")

    assert url == (
        "/api/landlords/pierre-habitat.fr/articles/commun/pr%C3%A9avis.md#preavis-reduit-a-un-mois"
    )
    assert article_url("exemple-hlm.fr", "commun/dalo.md") == (
        "/api/landlords/exemple-hlm.fr/articles/commun/dalo.md"
    )
    # A heading of punctuation only gives no fragment rather than an empty one
    assert "#" not in article_url("exemple-hlm.fr", "commun/dalo.md", "???")


def test_an_anchor_keeps_letters_and_digits_without_accents() -> None:
    assert anchor("Délai d'attente : 2 ans") == "delai-d-attente-2-ans"


def test_an_articles_sections_join_chunks_of_one_heading_without_repeating_the_title() -> None:
    # Given the chunks of one file: its H1 alone, the title's introduction, a section cut in
    # two chunks, and two sections of the same heading under different parents
    entry = FileEntry(
        file="commun/preavis.md",
        title="Préavis",
        access=AccessLevel.COMMUNITY,
        landlord=None,
        sections=[
            Section(0, [], "# Préavis\n"),
            Section(1, ["Préavis"], "Introduction."),
            Section(2, ["Préavis", "Durée"], "Trois mois."),
            Section(3, ["Préavis", "Durée"], "Un mois en zone tendue."),
            Section(4, ["Préavis", "Vide", "Contact"], "L'agence."),
            Section(5, ["Préavis", "Meublé", "Contact"], "Le gardien."),
        ],
    )

    # When it is read as an article
    article = article_of(entry)

    # Then the title is not repeated, the introduction has no heading, the cut section is
    # one, and only the first of two same headings takes the anchor
    assert [(s.heading, s.anchor) for s in article.sections] == [
        ("", ""),
        ("Durée", "duree"),
        ("Contact", "contact"),
        ("Contact", ""),
    ]
    assert article.sections[1].text == "Trois mois.\n\nUn mois en zone tendue."
    assert article.title == "Préavis"
