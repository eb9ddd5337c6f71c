"""Plain text for SMS and excerpts for extractive answers."""

from __future__ import annotations

from pierre_rag.pipeline.text import excerpt, excerpt_lines, markdown_to_plain


def test_markdown_becomes_plain_text_with_readable_links():
    text = (
        "## Titre\n\n**Important** : voir [le site](https://exemple.fr) et "
        "[l'article](autre.md).\n- un\n- deux [1]"
    )

    plain = markdown_to_plain(text)

    assert (
        plain
        == "Titre\n\nImportant : voir le site (https://exemple.fr) et l'article.\n- un\n- deux"
    )


def test_excerpt_cuts_at_a_sentence_and_never_inside_a_word():
    text = "Première phrase courte. Deuxième phrase un peu plus longue que la première."

    assert excerpt(text, 30) == "Première phrase courte."
    assert excerpt("motsansespace " * 10, 20).endswith("…")


def test_excerpt_lines_keeps_lists_and_drops_a_dangling_lead_in():
    text = "Le délai est de trois mois.\nIl est réduit à un mois si :\n- zone tendue\n- mutation"

    assert excerpt_lines(text, 200) == text
    assert excerpt_lines(text, 60) == "Le délai est de trois mois."
