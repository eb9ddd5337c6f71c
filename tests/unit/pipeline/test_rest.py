"""A follow-up landing on the section just quoted is answered from where that section names
what it asks, not with "nothing found" (an answer never repeats the one before it)."""

from __future__ import annotations

from collections.abc import Callable

from pierre_rag.pipeline.channels import SMS, WEB, ChannelStyle
from pierre_rag.pipeline.compose import fresh_grounding
from pierre_rag.pipeline.extractive import Focus, extractive_answer, focus
from pierre_rag.pipeline.models import Source
from pierre_rag.pipeline.rest import rest_naming, sentences_naming
from pierre_rag.pipeline.retrieve import Grounding

TITLE = "Les violences conjugales"
HEADING = "Que faire si mon conjoint me menace ?"
TEXT = (
    f"## {HEADING}\n\n"
    "Appelez le 17 en cas de danger immédiat. Le 3919 écoute les victimes, jour et nuit, "
    "gratuitement et sans laisser de trace sur la facture. Une association peut vous "
    "accompagner dans vos démarches et vous aider à préparer un départ. Gardez vos papiers et "
    "ceux des enfants en lieu sûr, chez un proche si possible. Notez les dates, les faits et "
    "les noms des témoins, et gardez les messages reçus : ils serviront devant la police et le "
    "juge. Un médecin peut constater vos blessures et vous remettre un certificat, même si "
    "vous ne portez pas plainte tout de suite. Les services sociaux de votre commune et votre "
    "bailleur peuvent aussi vous orienter vers un hébergement d'urgence si vous devez partir "
    "avec vos enfants sans attendre.\n\n"
    "Le juge aux affaires familiales peut délivrer une ordonnance de protection en quelques "
    "jours : elle interdit au conjoint violent de vous approcher et peut vous attribuer le "
    "logement, même s'il est le seul titulaire du bail."
)
SOURCE = Source(
    number=1,
    file="violences.md",
    title=TITLE,
    heading=HEADING,
    breadcrumb=f"{TITLE} > {HEADING}",
)
FIRST = "mon mari me menace, je fais quoi ?"
FOLLOW_UP = "et l'ordonnance de protection ça marche comment ?"


def _answerer(
    style: ChannelStyle, question: str
) -> tuple[Callable[[Grounding], Focus], Callable[[Focus], str]]:
    def focused(candidate: Grounding) -> Focus:
        return focus(candidate, question, sections=1, further=0)

    def write(picked: Focus) -> str:
        shown = picked.grounding()
        return extractive_answer(
            shown.sources, shown.texts, language="fr", style=style, handoff=None
        )

    return focused, write


def test_the_rest_starts_at_the_sentence_naming_what_the_follow_up_asks() -> None:
    rest = rest_naming(TEXT, FOLLOW_UP)

    assert rest is not None
    assert rest.startswith("Le juge aux affaires familiales peut délivrer une ordonnance")


def test_without_a_word_of_the_follow_up_in_the_section_there_is_no_rest() -> None:
    # "comment", "faire", "quoi": how it is asked, not what about
    assert rest_naming(TEXT, "et comment je fais quoi ?") is None


def test_a_section_naming_it_from_its_start_has_no_other_rest() -> None:
    assert rest_naming(TEXT, "le 17 c'est gratuit ?") is None


def test_a_follow_up_on_the_section_just_quoted_gets_its_part_on_what_it_asks() -> None:
    for style in (WEB, SMS):
        # Given an answer that quoted the opening of the section, within the channel's budget
        grounding = Grounding([SOURCE], [TEXT])
        focused, write = _answerer(style, FIRST)
        previous = write(focused(grounding))
        assert "ordonnance de protection" not in previous

        # When the follow-up's best section is that same section
        focused, write = _answerer(style, FOLLOW_UP)
        fresh = fresh_grounding(grounding, previous, focused, write, FOLLOW_UP)

        # Then it is answered from the part that names the order, not with "nothing found"
        assert fresh is not None
        answer = write(focused(fresh))
        assert "ordonnance de protection" in answer
        assert answer != previous


def test_a_rest_starting_in_a_list_starts_with_that_item_as_a_sentence() -> None:
    text = (
        "## Que faire ?\n\nAgissez vite.\n\n- Coupez le compteur si vous le pouvez sans "
        "risque, puis ouvrez les fenêtres.\n- Sortez et prévenez vos voisins."
    )

    rest = rest_naming(text, "j'ai ouvert les fenêtres, et maintenant ?")

    # A passage cannot open on a list item longer than the words it is cut to
    assert rest == (
        "Coupez le compteur si vous le pouvez sans risque, puis ouvrez les fenêtres.\n"
        "- Sortez et prévenez vos voisins."
    )


REPAIRS_HEADING = "Qui paie la réparation de la chasse d'eau ou d'un robinet qui fuit ?"
REPAIRS = (
    f"## {REPAIRS_HEADING}\n\n"
    "Le locataire change les petites pièces : le joint et le flotteur de la chasse d'eau, les "
    "joints et les clapets des robinets. Il débouche les éviers et les lavabos. Le bailleur "
    "remplace la cuvette ou le mitigeur usés par le temps."
)


def test_a_follow_up_on_words_the_opening_named_gets_the_sentences_naming_them() -> None:
    source = SOURCE.model_copy(
        update={"heading": REPAIRS_HEADING, "breadcrumb": f"Réparations > {REPAIRS_HEADING}"}
    )
    for style in (WEB, SMS):
        # Given an answer that quoted the section whose opening names the taps
        grounding = Grounding([source], [REPAIRS])
        focused, write = _answerer(style, "ma chasse d'eau fuit, c'est à moi de payer ?")
        previous = write(focused(grounding))
        assert "robinets" in previous

        # When the follow-up asks about the taps, and its best section is that one again
        question = "et le robinet ?"
        focused, write = _answerer(style, question)
        fresh = fresh_grounding(grounding, previous, focused, write, question)

        # Then the sentence naming them is quoted alone, not "nothing found" nor a repeat
        assert fresh is not None
        answer = write(focused(fresh))
        assert "clapets des robinets" in answer
        assert "débouche" not in answer
        assert answer != previous


def test_sentences_naming_a_word_are_those_of_the_section_that_name_it() -> None:
    assert sentences_naming(REPAIRS, "et le mitigeur ?") == (
        "Le bailleur remplace la cuvette ou le mitigeur usés par le temps."
    )
    assert sentences_naming(REPAIRS, "et comment je fais ?") is None
