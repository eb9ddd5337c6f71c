"""The focused passage: what a section's text keeps within a word budget."""

from __future__ import annotations

from pierre_rag.pipeline.channels import SMS
from pierre_rag.pipeline.extractive import extractive_answer
from pierre_rag.pipeline.models import Source
from pierre_rag.pipeline.passage import focused_passage
from pierre_rag.pipeline.text import markdown_to_plain

NOTICE = """Le délai est de trois mois pour un logement vide. Il est réduit à un mois dans les cas \
listés ci-dessous :

- une mutation professionnelle ;
- la perte d'un emploi ;
- un état de santé qui impose de déménager ;
- un premier emploi.

Le congé se donne par lettre recommandée, par acte de commissaire de justice ou en main propre \
contre récépissé, et le délai court dès sa réception par le bailleur."""


def _texts(blocks: list[tuple[str, str]]) -> list[str]:
    return [text for _, text in blocks]


def test_the_list_a_lead_in_announces_is_kept_rather_than_the_paragraph_after_it():
    # Given a section whose lead-in points to a list, then a long paragraph
    # When its passage is cut to 50 words
    blocks = focused_passage(NOTICE, 50)

    # Then the lead-in and its whole list are quoted, and the later paragraph left out
    texts = _texts(blocks)
    assert texts[0].endswith("listés ci-dessous :")
    assert texts[1:] == [
        "- une mutation professionnelle ;",
        "- la perte d'un emploi ;",
        "- un état de santé qui impose de déménager ;",
        "- un premier emploi.",
    ]


def test_a_list_cut_by_the_budget_ends_with_an_ellipsis():
    blocks = focused_passage(NOTICE, 27)

    assert _texts(blocks)[-1] == "- …"
    assert "- une mutation professionnelle ;" in _texts(blocks)


def test_a_lead_in_without_room_for_its_list_is_left_out():
    # Given a budget that ends right after the lead-in
    blocks = focused_passage(NOTICE, 21)

    # Then no quoted line ends announcing a list that is not there
    assert blocks and not _texts(blocks)[-1].endswith(":")


def test_reference_lists_are_left_out():
    text = "Le loyer se paie chaque mois.\n\n## Références\n\n- Loi du 6 juillet 1989\n- Décret"

    assert _texts(focused_passage(text, 100)) == ["Le loyer se paie chaque mois."]


def test_an_introduction_about_the_page_itself_is_left_out():
    text = "Cette page présente les horaires des agences.\n\nL'agence ouvre de 9 h à 17 h."

    assert _texts(focused_passage(text, 100)) == ["L'agence ouvre de 9 h à 17 h."]
    # alone, it is all there is to quote
    assert _texts(focused_passage("Cette page présente les horaires.", 100)) == [
        "Cette page présente les horaires."
    ]


def test_a_paragraph_too_long_for_the_budget_is_cut_after_a_sentence():
    text = "Première phrase courte. Deuxième phrase, bien plus longue que la première, et encore."

    assert _texts(focused_passage(text, 8)) == ["Première phrase courte."]


def test_a_cut_inside_bold_text_closes_the_bold():
    # Given a paragraph whose cut falls inside bold words
    text = "Le dépôt de garantie est au maximum d'**un mois de loyer hors charges**, pas plus."

    # When it is cut to fewer words than the paragraph has
    [(_, passage)] = focused_passage(text, 9)

    # Then the bold is closed before the ellipsis: no asterisk shows, in the chat or by SMS
    assert passage == "Le dépôt de garantie est au maximum d'**un mois**…"
    assert "*" not in markdown_to_plain(passage)


def test_sentences_kept_whole_close_a_bold_that_spans_the_cut():
    text = "Vous payez **un mois. Parfois deux** si le bail le prévoit. Voir la suite."

    [(_, passage)] = focused_passage(text, 6)

    assert passage == "Vous payez **un mois.**"


def test_room_left_after_a_short_opening_takes_the_start_of_the_next_sentence():
    # Given a paragraph that opens with a short answer and explains it in a long sentence
    text = (
        "Non, en principe. Pendant la trêve hivernale, du 1er novembre au 31 mars, aucune "
        "expulsion ne peut être exécutée, même si un jugement l'a ordonnée."
    )

    # When the budget holds the opening and more, but not the whole explanation
    [(_, passage)] = focused_passage(text, 12)

    # Then the budget is filled with the explanation's first words, the cut marked
    assert passage == "Non, en principe. Pendant la trêve hivernale, du 1er novembre au 31…"


def test_less_room_than_a_sentence_needs_keeps_the_whole_sentences_only():
    text = "Première phrase courte. Deuxième phrase, bien plus longue que la première, et encore."

    assert _texts(focused_passage(text, 8)) == ["Première phrase courte."]
    assert _texts(focused_passage(text, 9)) == [
        "Première phrase courte. Deuxième phrase, bien plus longue que…"
    ]


def test_a_first_sentence_longer_than_the_budget_is_cut_to_its_first_words():
    text = "Une première phrase bien trop longue pour le budget donné ici. Une autre."

    assert _texts(focused_passage(text, 6)) == ["Une première phrase bien trop longue…"]


def test_a_sentence_about_the_page_is_dropped_and_what_the_paragraph_says_kept():
    # Given an article's introduction: one sentence that answers, one about the article
    intro = (
        "Pour obtenir un logement HLM, il faut d'abord déposer une demande unique. Cet article "
        "explique qui peut la faire et où la déposer.\n\nLa demande est gratuite."
    )

    # When its passage is cut
    texts = _texts(focused_passage(intro, 80))

    # Then the sentence about the article is gone, the rest is quoted as written
    assert texts == [
        "Pour obtenir un logement HLM, il faut d'abord déposer une demande unique.",
        "La demande est gratuite.",
    ]


def test_a_sentence_about_the_page_that_leads_into_a_list_is_kept():
    text = (
        "Le dossier est simple. Cette fiche liste les pièces à fournir :\n\n- une pièce d'identité"
    )

    assert _texts(focused_passage(text, 80)) == [
        "Le dossier est simple. Cette fiche liste les pièces à fournir :",
        "- une pièce d'identité",
    ]


CONTACT = "Votre agence Pierre Habitat, 01 99 00 10 00"
WAIT = (
    "Il n'existe pas de délai unique. L'attente dépend surtout :\n\n"
    "- de la commune demandée : elle est bien plus longue dans les grandes villes que dans les "
    "petites communes, où les logements se libèrent plus souvent ;\n"
    "- de la taille du logement demandé."
)


def test_a_first_item_longer_than_the_room_left_is_cut_not_replaced_by_an_ellipsis():
    # When the budget ends inside the first item of the list a lead-in announces
    texts = _texts(focused_passage(WAIT, 20))

    # Then the item's first words are quoted, and the cut marked: not "- …" alone
    assert texts[0] == "Il n'existe pas de délai unique. L'attente dépend surtout :"
    assert texts[1].startswith("- de la commune demandée")
    assert texts[1].endswith("…")
    assert len(texts) == 2


def test_a_lead_in_without_room_for_a_word_of_its_list_is_left_out():
    assert _texts(focused_passage(WAIT, 12)) == ["Il n'existe pas de délai unique."]


def test_an_sms_answer_never_ends_a_lead_in_with_an_ellipsis_alone():
    # Given a section whose lead-in and first item do not fit in three SMS together
    text = (
        "Il n'existe pas de délai unique. L'attente dépend surtout :\n\n"
        "- de la commune demandée : elle est bien plus longue dans les grandes villes et en "
        "Île-de-France que dans les zones rurales ou les villes moyennes ;\n"
        "- de la taille du logement : les petits et les très grands logements sont souvent les "
        "plus demandés ;\n"
        "- de votre situation : les ménages prioritaires passent avant les autres."
    )
    source = Source(
        number=1, file="a.md", title="Délais", heading="Attente", breadcrumb="Délais > Attente"
    )
    answer = extractive_answer([source], [text], language="fr", style=SMS, handoff=CONTACT)

    # Then the list is quoted from its first item, or not at all
    assert "surtout :\n- …" not in answer
    assert "surtout :\n- de la commune demandée" in answer
