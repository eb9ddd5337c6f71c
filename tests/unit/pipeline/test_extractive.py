"""Extractive answers (no LLM): one focused passage, within the channel's budget."""

from __future__ import annotations

import dataclasses

from pierre_rag.pipeline.channels import SMS, WEB
from pierre_rag.pipeline.extractive import extractive_answer, focus
from pierre_rag.pipeline.models import Source
from pierre_rag.pipeline.pick import WEIGHTS, PickWeights
from pierre_rag.pipeline.retrieve import Grounding
from pierre_rag.sms.splitting import split_sms

LONG = " ".join(f"Phrase numéro {n} du paragraphe, assez longue pour compter." for n in range(30))
SOURCES = [
    Source(number=n, file=f"f{n}.md", title=f"Titre {n}", heading=f"Section {n}", breadcrumb="b")
    for n in (1, 2, 3)
]
TEXTS = [f"Début {n}. {LONG}" for n in (1, 2, 3)]
CONTACT = "Agence Exemple, 01 99 00 00 00"
QUESTION = "quel est le préavis ?"


def test_by_sms_one_passage_is_quoted_in_plain_text_within_three_parts_with_the_contact():
    # Given a long section found
    # When an extractive answer is written for SMS
    text = extractive_answer(SOURCES[:1], TEXTS[:1], language="fr", style=SMS, handoff=CONTACT)

    # Then it starts with the section's first sentences, fits in 3 SMS parts, ends with the
    # contact
    assert text.startswith("Début 1. Phrase numéro 0")
    assert len(split_sms(text).parts) <= 3
    assert text.endswith("\nPour une réponse personnalisée : Agence Exemple, 01 99 00 00 00.")


def test_on_the_web_one_section_is_quoted_within_120_words_with_its_article():
    # Given a long section found
    # When an extractive answer is written for the web, with a contact
    text = extractive_answer(SOURCES[:1], TEXTS[:1], language="fr", style=WEB, handoff=CONTACT)

    # Then the section is quoted under its bold numbered heading, cut to fit the budget, and
    # names its article to read more, a note and the contact
    assert text.startswith("**Section 1** [1]\n\nDébut 1. Phrase numéro 0")
    assert len(text.split()) <= WEB.max_words
    assert "Pour en savoir plus : « Titre 1 » [1]." in text
    assert "_Réponse automatique composée d'extraits" in text
    assert text.endswith("Pour une réponse personnalisée : Agence Exemple, 01 99 00 00 00.")


def test_in_another_language_the_web_answer_says_the_passage_is_in_french():
    text = extractive_answer(SOURCES[:1], TEXTS[:1], language="en", style=WEB, handoff=None)

    assert text.startswith("Here are the passages of our knowledge base (in French)")
    assert 'To read more: "Titre 1" [1] (in French).' in text
    assert text.endswith("_Automatic answer made of excerpts; check they fit your situation._")


def test_the_sections_quoted_are_the_best_ranked_the_style_asks_for():
    # Given three sections found, and a style quoting two
    grounding = Grounding(list(SOURCES), list(TEXTS))
    style = dataclasses.replace(WEB, excerpt_sections=2)

    # When the sections to quote are chosen and quoted
    quoted = focus(grounding, QUESTION, sections=style.excerpt_sections, further=0).grounding()
    text = extractive_answer(quoted.sources, quoted.texts, language="fr", style=style, handoff=None)

    # Then the two best are quoted, within the same budget
    assert [s.heading for s in quoted.sources] == ["Section 1", "Section 2"]
    assert "**Section 1** [1]" in text and "**Section 2** [2]" in text
    assert "Section 3" not in text
    assert len(text.split()) <= WEB.max_words


def _source(number: int, heading: str, title: str = "Le préavis") -> Source:
    return Source(number=number, file="preavis.md", title=title, heading=heading, breadcrumb="b")


def test_an_articles_introduction_gives_way_to_a_section_of_the_same_article():
    # Given the best-ranked section is an article's introduction, another of its sections next
    grounding = Grounding(
        [_source(1, "Le préavis"), _source(2, "Quelle durée ?")],
        ["Cet article explique le préavis.", "Trois mois, ou un mois dans certains cas."],
    )

    # When the section to quote is chosen
    quoted = focus(grounding, QUESTION, sections=1, further=0).grounding()

    # Then the section quoted is the one that answers, numbered 1
    assert [(s.number, s.heading) for s in quoted.sources] == [(1, "Quelle durée ?")]


def test_a_short_article_whose_one_section_opens_with_a_sub_heading_is_quoted():
    # Given a short article (a Word file with a title, one sub-heading and one paragraph) is
    # one chunk under its title: its text opens with the sub-heading; a weaker section follows
    hours = "Les agences vous accueillent du lundi au vendredi de 7 h 45 à 11 h 15."
    grounding = Grounding(
        [
            Source(number=1, file="agences.md", title="Agences", heading="Agences", breadcrumb="b"),
            Source(number=2, file="autre.md", title="Autre", heading="Autre chose", breadcrumb="b"),
        ],
        [f"# Agences\n\n## Horaires d'ouverture\n\n{hours}", "Sans rapport avec la question."],
    )

    # When the section to quote is chosen and quoted
    # (a question naming no sub-heading: one that does is quoted alone, see test_subsection)
    quoted = focus(grounding, "quand puis-je venir ?", sections=1, further=0).grounding()
    text = extractive_answer(quoted.sources, quoted.texts, language="fr", style=WEB, handoff=None)

    # Then the article is quoted, its sub-heading and paragraph with it
    assert [s.heading for s in quoted.sources] == ["Agences"]
    assert "**Horaires d'ouverture**" in text and hours in text


def test_a_section_pointing_to_a_list_is_quoted_with_the_section_holding_it():
    # Given a section announcing "les cas listés ci-dessous", and the section with that list
    grounding = Grounding(
        [_source(1, "Quelle durée ?"), _source(2, "Autre chose"), _source(3, "Quels cas ?")],
        [
            "Trois mois, réduits à un mois dans les cas listés ci-dessous.",
            "Sans rapport.",
            "Le préavis est d'un mois :\n\n- en zone tendue ;\n- après une mutation.",
        ],
    )

    # When the section to quote is chosen and quoted
    quoted = focus(grounding, QUESTION, sections=1, further=0).grounding()
    text = extractive_answer(quoted.sources, quoted.texts, language="fr", style=WEB, handoff=None)

    # Then the list is quoted after the sentence that announces it, the article named once
    assert [s.heading for s in quoted.sources] == ["Quelle durée ?", "Quels cas ?"]
    assert "- en zone tendue ;\n- après une mutation." in text
    assert text.count("Pour en savoir plus") == 1


def test_on_the_web_other_articles_are_offered_to_read_more_each_once():
    # Given the section that answers, and two other articles' sections among those found
    grounding = Grounding(list(SOURCES), list(TEXTS))

    # When the answer is written with up to two articles to read more
    shown = focus(grounding, QUESTION, sections=1, further=2)
    numbered = shown.grounding()
    text = extractive_answer(
        numbered.sources[:1],
        numbered.texts[:1],
        further=numbered.sources[1:],
        language="fr",
        style=WEB,
        handoff=CONTACT,
    )

    # Then one passage is quoted, the three articles are named on one line, within budget
    assert [s.heading for s in shown.quoted.sources] == ["Section 1"]
    assert "Section 2" not in text and "Début 2" not in text
    assert "Pour en savoir plus : « Titre 1 » [1], « Titre 2 » [2], « Titre 3 » [3]." in text
    assert len(text.split()) <= WEB.max_words


def test_by_sms_a_markdown_section_is_sent_as_plain_text_without_articles():
    # Given a section written in Markdown (bold, a list, a link)
    text = (
        "**Trois mois** pour un logement vide.\n\n"
        "- un mois en [meublé](meuble.md) ;\n- un mois en zone tendue."
    )
    source = SOURCES[0]

    # When it is answered by SMS
    answer = extractive_answer([source], [text], language="fr", style=SMS, handoff=CONTACT)

    # Then no Markdown is left, no article is named, and it fits in 3 parts
    assert "**" not in answer and "](" not in answer and "#" not in answer
    assert "Trois mois pour un logement vide." in answer
    assert "savoir plus" not in answer
    assert len(split_sms(answer).parts) <= SMS.max_sms_parts  # type: ignore[operator]


def test_on_the_web_the_articles_to_read_more_link_to_their_pages_when_they_have_one():
    # Given the quoted section's article with an address (at its section), another without
    linked = SOURCES[0].model_copy(
        update={"url": "/api/landlords/x.fr/articles/f1.md#section-1", "title": "Titre [1]"}
    )
    further = [SOURCES[1]]

    # When a web answer is written
    text = extractive_answer(
        [linked], TEXTS[:1], further=further, language="fr", style=WEB, handoff=CONTACT
    )

    # Then the linked title opens the whole article (from its top), the other is named only,
    # and a bracket in a title cannot end the link's label
    assert (
        "Pour en savoir plus : « [Titre (1)](/api/landlords/x.fr/articles/f1.md) » [1], "
        "« Titre 2 » [2]." in text
    )
    assert len(text.split()) <= WEB.max_words


def test_by_sms_an_answer_never_carries_an_article_link():
    linked = SOURCES[0].model_copy(update={"url": "/api/landlords/x.fr/articles/f1.md"})

    answer = extractive_answer([linked], TEXTS[:1], language="fr", style=SMS, handoff=CONTACT)

    assert "/api/" not in answer and "savoir plus" not in answer


def test_weights_that_read_the_headings_can_pick_a_later_section_the_shipped_ones_keep_the_order():
    # Given three sections found, the second one's heading asking the tenant's question
    sources = list(SOURCES)
    sources[1] = sources[1].model_copy(
        update={"heading": "Durée du préavis", "breadcrumb": "Titre 2 > Durée du préavis"}
    )
    grounding = Grounding(sources, list(TEXTS))
    question = "quelle durée de préavis ?"

    # When the passage is picked with the shipped weights, then with the headings weighed
    shipped = focus(grounding, question, sections=1, further=0).grounding()
    by_heading = PickWeights(heading=5.0, candidates=3)
    reordered = focus(grounding, question, sections=1, further=0, weights=by_heading).grounding()

    # Then the shipped weights keep the search's first section, the others pick the heading
    assert not WEIGHTS.reorders and by_heading.reorders
    assert [s.heading for s in shipped.sources] == ["Section 1"]
    assert [s.heading for s in reordered.sources] == ["Durée du préavis"]


ON_CALL_LINE = "Urgence hors des heures d'ouverture : astreinte 01 99 00 99 99."


def test_the_on_call_line_follows_the_contact_on_the_web_and_by_sms():
    # Given a section found for a reported breakdown, and the landlord's on-call line
    for style in (WEB, SMS):
        # When the extractive answer is written
        text = extractive_answer(
            SOURCES[:1],
            TEXTS[:1],
            language="fr",
            style=style,
            handoff=CONTACT,
            on_call=ON_CALL_LINE,
        )

        # Then the contact comes, then the on-call line, within the channel's budget
        contact = "Pour une réponse personnalisée : Agence Exemple, 01 99 00 00 00."
        assert text.index(contact) < text.index(ON_CALL_LINE)
        assert text.endswith(ON_CALL_LINE)
        assert style.fits(text)


def test_by_sms_in_ucs2_the_passage_keeps_its_room_and_the_office_contact_goes_first():
    # Given a section whose letters GSM-7 lacks (a UCS-2 SMS: about 180 characters in 3 parts)
    text_with_accents = "Une panne se signale même la nuit, à votre gardien. " * 6
    # When the answer has the contact and the on-call line to give
    text = extractive_answer(
        SOURCES[:1],
        [text_with_accents],
        language="fr",
        style=SMS,
        handoff=CONTACT,
        on_call=ON_CALL_LINE,
    )

    # Then a passage is still quoted, the on-call line is given, the office contact is not
    assert text.startswith("Une panne se signale même la nuit")
    assert text.endswith(ON_CALL_LINE)
    assert "Pour une réponse personnalisée" not in text
    assert SMS.fits(text)


def test_by_sms_without_an_on_call_line_the_contact_stays_beside_a_short_passage():
    text_with_accents = "Une panne se signale même la nuit, à votre gardien. " * 6

    text = extractive_answer(
        SOURCES[:1], [text_with_accents], language="fr", style=SMS, handoff=CONTACT
    )

    assert text.startswith("Une panne se signale même la nuit")
    assert text.endswith("Pour une réponse personnalisée : Agence Exemple, 01 99 00 00 00.")
