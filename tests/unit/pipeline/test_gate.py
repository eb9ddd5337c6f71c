"""The gate: which messages get a fixed reply, before and after the search."""

from __future__ import annotations

from typing import TypedDict

import pytest

from pierre_rag.conversations import Role, Turn
from pierre_rag.knowledge.models import AccessLevel, Closeness, SearchResponse, SearchResult
from pierre_rag.pipeline.gate import courtesy_reminder, follows_an_answer, gate, gate_search
from pierre_rag.pipeline.models import Outcome, Understanding

GREETING = "Bonjour, je suis Pierre."


class Thresholds(TypedDict):
    in_scope_min_cosine: float
    nothing_found_min_cosine: float
    scope_min_cosine: float
    elsewhere_margin: float


THRESHOLDS: Thresholds = {
    "in_scope_min_cosine": 0.30,
    "nothing_found_min_cosine": 0.22,
    "scope_min_cosine": 0.30,
    "elsewhere_margin": 0.15,
}


def _understood(source: str = "llm", **fields: object) -> Understanding:
    return Understanding.model_validate(
        {"search_queries": ["préavis meublé"], "source": source, **fields}
    )


def _found(
    top_cosine: float,
    results: int = 1,
    scope_cosine: float = 0.0,
    elsewhere_cosine: float = 0.0,
    heading_idf: float = 0.0,
    acronyms: tuple[str, ...] = (),
) -> SearchResponse:
    result = SearchResult(
        chunk_id=1,
        file="a.md",
        title="A",
        heading_path=["B"],
        headings=["B"],
        text="texte",
        access=AccessLevel.COMMUNITY,
        landlord=None,
        score=1.0,
    )
    return SearchResponse(
        results=[result] * results,
        top_cosine=top_cosine,
        queries=["q"],
        scope_cosine=scope_cosine,
        elsewhere_cosine=elsewhere_cosine,
        heading_idf=heading_idf,
        acronyms=list(acronyms),
    )


def test_small_talk_gets_the_greeting_whatever_was_understood():
    # Given a greeting the LLM judged out of scope
    understood = _understood(in_scope=False)

    # When it is gated
    reply = gate("Bonjour !", understood, GREETING)

    # Then the context's greeting answers it
    assert reply is not None
    assert (reply.outcome, reply.text) == (Outcome.ANSWERED, GREETING)


@pytest.mark.parametrize("source", ["llm", "heuristic"])
def test_a_request_for_a_person_gets_the_contact_and_counts_as_one(source: str) -> None:
    # Given a message that only asks for a person, whatever understood it
    understood = _understood(source, language="fr", in_scope=False)

    # When it is gated with the landlord's contact
    reply = gate("je veux parler à quelqu'un", understood, GREETING, handoff="Agence, 01 99")

    # Then the reply says who answers and gives the contact, without a search
    assert reply is not None
    assert (reply.outcome, reply.text) == (
        Outcome.HANDOFF,
        "Je suis un assistant automatique. Pour parler à une personne : Agence, 01 99.",
    )


def test_a_request_for_a_person_without_a_contact_says_so_in_the_users_language() -> None:
    reply = gate("talk to a human please", _understood(language="en"), GREETING)

    assert reply is not None
    assert reply.outcome is Outcome.HANDOFF
    assert reply.text.startswith("I'm an automated assistant and can't put you through")


@pytest.mark.parametrize(
    ("text", "language", "reply"),
    [
        ("merci !", "fr", "Avec plaisir ! Avez-vous une autre question ?"),
        ("ok merci, au revoir", "fr", "Au revoir, et bonne journée !"),
        ("d'accord", "fr", "Avez-vous une autre question ?"),
        ("thanks a lot", "en", None),  # "a lot": not small talk, searched
        ("gracias", "es", "¡De nada! ¿Tiene otra pregunta?"),
        ("danke schön", "de", "Gern geschehen! Haben Sie noch eine Frage?"),
    ],
)
def test_after_a_reply_thanks_goodbyes_and_ok_get_a_closing_in_the_users_language(
    text, language, reply
):
    # Given small talk after the assistant replied once
    understood = _understood("heuristic", language=language)

    # When it is gated
    fixed = gate(text, understood, GREETING, after_a_reply=True)

    # Then it gets a short closing, not the greeting again
    assert (fixed.text if fixed else None) == reply


def test_a_greeting_in_another_language_gets_the_greeting_then_a_hello_in_that_language():
    # Given "hello" (the landlord's greeting is written in French)
    fixed = gate("hello", _understood("heuristic", language="en"), GREETING)

    # Then the greeting comes first, then what the assistant answers, in English
    assert fixed is not None
    assert fixed.text.startswith(GREETING + "\n\nHello! I answer questions about social housing")


def test_thanks_opening_a_conversation_get_the_greeting():
    fixed = gate("merci", _understood("heuristic"), GREETING, after_a_reply=False)

    assert fixed is not None and fixed.text == GREETING


def test_a_greeting_after_a_reply_gets_the_greeting_again():
    fixed = gate("bonjour", _understood("heuristic"), GREETING, after_a_reply=True)

    assert fixed is not None and fixed.text == GREETING


def test_an_insult_with_nothing_to_search_is_refused_in_the_users_language():
    # Given an insult, in English, with no question in it (the local rules)
    understood = _understood("heuristic", language="en", abusive=True, search_queries=[])

    # When it is gated
    reply = gate("Shut up you stupid machine", understood, GREETING)

    # Then it gets the polite refusal, in English, saying what the assistant can do
    assert reply is not None and reply.outcome is Outcome.ABUSIVE
    assert reply.text.startswith("I'm here to help") and "housing" in reply.text


@pytest.mark.parametrize(
    ("abusive", "outcome"), [(False, Outcome.OFF_TOPIC), (True, Outcome.ABUSIVE)]
)
def test_the_llms_off_topic_verdict_is_followed_before_any_search(abusive, outcome):
    # Given a message the LLM judged out of scope (with search queries all the same)
    understood = _understood(in_scope=False, abusive=abusive)

    # When it is gated, then it is refused without searching
    reply = gate("meilleur smartphone ?", understood, GREETING)
    assert reply is not None and reply.outcome is outcome


def test_the_local_rules_never_refuse_before_the_search():
    # Given a message the local rules understood (they cannot judge scope without a search)
    understood = _understood("heuristic", in_scope=False)

    # When it is gated, then it goes on to the search
    assert gate("qui a gagné le match ?", understood, GREETING) is None
    assert gate("quel préavis ?", _understood(), GREETING) is None


def test_after_the_search_a_low_top_score_is_off_topic_for_the_local_rules_only():
    # Given a message that names no housing matter, whose best section is weakly related
    found = _found(top_cosine=0.25)
    question = {"standalone_question": "qui a gagné le match ?", "search_queries": []}

    # When the local rules' and the LLM's understandings are gated on it
    local = gate_search(_understood("heuristic", **question), found, handoff=None, **THRESHOLDS)
    llm = gate_search(_understood("llm", **question), found, handoff=None, **THRESHOLDS)

    # Then the local rules call it off-topic; the LLM's in-scope verdict stands
    assert local is not None and local.outcome is Outcome.OFF_TOPIC
    assert llm is None


@pytest.mark.parametrize(("top_cosine", "results"), [(0.21, 3), (0.9, 0)])
def test_nothing_found_offers_the_human_contact(top_cosine, results):
    # Given a search that found nothing close enough, or nothing at all
    found = _found(top_cosine, results)

    # When it is gated with the channel's contact
    reply = gate_search(_understood(), found, handoff="Agence, 01 99", **THRESHOLDS)

    # Then the reply says so and offers the contact
    assert reply is not None and reply.outcome is Outcome.NOTHING_FOUND
    assert reply.text.endswith("Pour une réponse personnalisée : Agence, 01 99.")


@pytest.mark.parametrize(
    ("question", "top_cosine", "outcome"),
    [
        ("J'ai des punaises de lit, qui paie le traitement ?", 0.25, None),
        ("يوجد تسرب مياه من السقف في المطبخ، ماذا أفعل؟", 0.25, None),
        ("Протікає вода зі стелі у ванній", 0.15, Outcome.NOTHING_FOUND),
        ("moisissure noire au plafond", 0.15, Outcome.NOTHING_FOUND),
    ],
)
def test_a_housing_matter_is_never_off_topic_for_the_local_rules(question, top_cosine, outcome):
    # Given a housing question the knowledge answers weakly or not at all (pests, damp, a leak)
    understood = _understood("heuristic", standalone_question=question, search_queries=[question])

    # When it is gated after the search
    reply = gate_search(understood, _found(top_cosine), handoff="Agence", **THRESHOLDS)

    # Then it is not refused: answered from what was found, or "nothing found" and the contact
    assert (reply.outcome if reply else None) is outcome


@pytest.mark.parametrize(("acronyms", "outcome"), [(("siao",), None), ((), Outcome.OFF_TOPIC)])
def test_an_acronym_the_knowledge_defines_is_in_scope_and_answered(acronyms, outcome):
    # Given "c'est quoi le SIAO ?": no housing word, far from every section and every topic
    question = "c'est quoi le SIAO ?"
    understood = _understood("heuristic", standalone_question=question, search_queries=[question])

    # When the search says whether the knowledge defines the acronym it names
    reply = gate_search(understood, _found(0.15, acronyms=acronyms), handoff="Agence", **THRESHOLDS)

    # Then one it defines is answered from what was found; one it does not is refused
    assert (reply.outcome if reply else None) is outcome


@pytest.mark.parametrize(("scope_cosine", "refused"), [(0.30, False), (0.29, True)])
def test_a_message_close_to_a_covered_topic_is_in_scope_without_its_words(scope_cosine, refused):
    # Given a message naming no housing word, far from every section, as close to a topic the
    # assistant covers as the threshold or just under it
    question = "no traga nada desde ayer"
    understood = _understood("heuristic", standalone_question=question, search_queries=[question])
    found = _found(top_cosine=0.25, scope_cosine=scope_cosine)

    # When it is gated after the search
    reply = gate_search(understood, found, handoff=None, **THRESHOLDS)

    # Then it is refused only under the threshold
    assert (reply is not None and reply.outcome is Outcome.OFF_TOPIC) is refused


def test_an_insult_close_to_a_covered_topic_is_still_refused():
    # Given what is left of an insult, close to a covered topic but naming no housing matter
    left = "Va te faire, sale IA de"
    understood = _understood(
        "heuristic", abusive=True, standalone_question=left, search_queries=[left]
    )
    found = _found(top_cosine=0.25, scope_cosine=0.31)

    # When it is gated after the search, then it gets the courteous refusal
    reply = gate_search(understood, found, handoff=None, **THRESHOLDS)
    assert reply is not None and reply.outcome is Outcome.ABUSIVE


@pytest.mark.parametrize(("elsewhere_cosine", "refused"), [(0.39, False), (0.40, True)])
def test_a_close_section_does_not_outweigh_clear_evidence_of_another_subject(
    elsewhere_cosine, refused
):
    # Given a message naming no housing word, close to a section ("comment on fait un CV" and
    # an article on finding work), far from every covered topic, and closer by the margin or
    # just under it to a subject the assistant does not cover
    question = "comment on fait un CV pour un job étudiant"
    understood = _understood("heuristic", standalone_question=question, search_queries=[question])
    found = _found(top_cosine=0.40, scope_cosine=0.25, elsewhere_cosine=elsewhere_cosine)

    # When it is gated after the search
    reply = gate_search(understood, found, handoff=None, **THRESHOLDS)

    # Then it is refused only when the evidence is clear
    assert (reply is not None and reply.outcome is Outcome.OFF_TOPIC) is refused


@pytest.mark.parametrize(
    ("question", "scope_cosine"),
    [("mon radiateur ne chauffe plus", 0.10), ("il fait 14 degrés chez moi", 0.40)],
)
def test_another_subject_never_outweighs_a_housing_word_or_a_covered_topic(question, scope_cosine):
    # Given a housing question (named, or close to a covered topic) that comes even closer to
    # a subject elsewhere
    understood = _understood("heuristic", standalone_question=question, search_queries=[question])
    found = _found(top_cosine=0.40, scope_cosine=scope_cosine, elsewhere_cosine=0.90)

    # When it is gated after the search, then it goes on to the answer
    assert gate_search(understood, found, handoff=None, **THRESHOLDS) is None


def test_sections_close_enough_go_on_to_the_answer():
    assert gate_search(_understood("heuristic"), _found(0.30), handoff=None, **THRESHOLDS) is None


def test_an_insult_carrying_a_real_question_is_answered_after_a_reminder():
    # Given an abusive message with a real question, in Spanish, and a courteous one
    # When the courtesy reminder is asked for
    rude = courtesy_reminder(_understood(abusive=True, language="es"))
    polite = courtesy_reminder(_understood())

    # Then only the abusive one gets it, in the user's language, before the answer
    assert rude == "Le respondo con gusto, manteniendo la cortesía por ambas partes.\n\n"
    assert polite == ""


def test_a_weak_match_gets_nothing_found_and_the_contact_under_the_pipelines_thresholds():
    # Given a housing question whose best section is only loosely related (cosine 0.27, above
    # the former floor of 0.22)
    from pierre_rag.pipeline.answer import PipelineConfig

    config = PipelineConfig()

    # When the search's result is gated with the pipeline's own thresholds
    reply = gate_search(
        _understood(),
        _found(0.27),
        in_scope_min_cosine=config.in_scope_min_cosine,
        nothing_found_min_cosine=config.nothing_found_min_cosine,
        scope_min_cosine=config.scope_min_cosine,
        elsewhere_margin=config.elsewhere_margin,
        handoff="Agence, 01 99 00 00 00",
    )

    # Then nothing is quoted: the answer says so, gives the contact, counts as nothing found
    assert reply is not None and reply.outcome is Outcome.NOTHING_FOUND
    assert "pas trouvé" in reply.text and "01 99 00 00 00" in reply.text


# --------------------------------------------------------------------------- after a turn


def _after_a_turn(alone: Closeness, follow_up: float) -> SearchResponse:
    """A message searched alone and with a housing turn before it: the fused search is close
    to the knowledge (the turn before's closeness), the message alone is as given."""
    found = _found(top_cosine=0.55, scope_cosine=0.60, elsewhere_cosine=0.45)
    return found.model_copy(update={"alone": alone, "follow_up": follow_up})


ELSEWHERE = Closeness(top_cosine=0.17, scope_cosine=0.21, elsewhere_cosine=0.46)
NOWHERE = Closeness(top_cosine=0.23, scope_cosine=0.20, elsewhere_cosine=0.19)


def test_a_new_subject_the_assistant_does_not_cover_is_refused_after_a_housing_turn():
    # Given "une recette de crêpes ?" after a deposit question: alone, it comes closer to a
    # subject the assistant does not cover; with the turn before, close to the deposit
    question = "tu connais une bonne recette de crêpes ?"
    understood = _understood("heuristic", standalone_question=question, search_queries=[question])

    # When it is gated after the search, reading as a new subject (no link nor pronoun)
    reply = gate_search(understood, _after_a_turn(ELSEWHERE, 0.30), handoff=None, **THRESHOLDS)

    # Then the turn before does not lend it its closeness: it is refused
    assert reply is not None and reply.outcome is Outcome.OFF_TOPIC


def test_a_follow_up_leans_on_the_turn_before_for_its_scope():
    # Given "et en meublé ?" after a notice question: a link, so it reads as a follow-up
    question = "et en meublé ?"
    understood = _understood("heuristic", standalone_question=question, search_queries=[question])

    # When it is gated after the search, then it goes on to the answer even if it comes,
    # alone, closer to another subject
    assert (
        gate_search(understood, _after_a_turn(ELSEWHERE, 0.81), handoff=None, **THRESHOLDS) is None
    )


def test_a_short_question_naming_nothing_still_leans_on_the_turn_before():
    # Given "combien ça coûte ?" after a housing question: no marker, close to nothing alone
    question = "combien ça coûte ?"
    understood = _understood("heuristic", standalone_question=question, search_queries=[question])

    # When it is gated after the search, then the turn before carries its scope: answered
    assert gate_search(understood, _after_a_turn(NOWHERE, 0.30), handoff=None, **THRESHOLDS) is None


def test_an_insult_after_a_housing_turn_is_refused_not_answered_from_that_turn():
    # Given "t'es vraiment un robot" left of an insult, after a question about a leak
    left = "t'es vraiment un robot"
    understood = _understood(
        "heuristic", abusive=True, standalone_question=left, search_queries=[left]
    )

    # When it is gated after the search
    reply = gate_search(understood, _after_a_turn(NOWHERE, 0.30), handoff=None, **THRESHOLDS)

    # Then it gets the courteous refusal, not an answer about the leak
    assert reply is not None and reply.outcome is Outcome.ABUSIVE


def _turn(role: Role, outcome: str | None = None) -> Turn:
    return Turn(role=role, content="…", message_id="m", created_ms=1, outcome=outcome)


def test_a_follow_up_of_an_answer_is_in_scope_though_it_comes_close_to_nothing():
    # Given "ok et comment on l'obtient" after an answer on Visale: it names nothing, and the
    # search (message and turn before) comes close to nothing either
    question = "ok et comment on l'obtient"
    understood = _understood("heuristic", standalone_question=question, search_queries=[question])
    found = _found(top_cosine=0.24, scope_cosine=0.25).model_copy(
        update={
            "alone": Closeness(top_cosine=0.13, scope_cosine=0.2, elsewhere_cosine=0.16),
            "follow_up": 0.81,
        }
    )

    # When it is gated after an answer, and after a refusal
    answered = gate_search(understood, found, handoff=None, after_an_answer=True, **THRESHOLDS)
    refused = gate_search(understood, found, handoff=None, after_an_answer=False, **THRESHOLDS)

    # Then only the follow-up of an answer goes on to the answer (here nothing found, with the
    # contact), never the off-topic refusal
    assert answered is None or answered.outcome is Outcome.NOTHING_FOUND
    assert refused is not None and refused.outcome is Outcome.OFF_TOPIC


def test_the_last_reply_tells_whether_the_conversation_follows_an_answer():
    assert follows_an_answer([_turn("user"), _turn("assistant", "answered")])
    assert follows_an_answer([_turn("user"), _turn("assistant", "nothing_found")])
    assert not follows_an_answer([_turn("user"), _turn("assistant", "off_topic")])
    assert not follows_an_answer([_turn("assistant", "answered"), _turn("assistant", "abusive")])
    assert not follows_an_answer([_turn("user")])


@pytest.mark.parametrize(("heading_idf", "outcome"), [(4.2, None), (2.1, Outcome.NOTHING_FOUND)])
def test_a_weak_match_is_answered_when_a_rare_word_of_the_message_heads_a_section(
    heading_idf, outcome
):
    # Given a short housing message the dense model finds only weakly close ("besoin d'une
    # quittance"), with its precise word heading a section found, or a common one
    understood = _understood("heuristic", search_queries=["besoin d'une quittance"])
    found = _found(0.17, heading_idf=heading_idf)

    # When the search is gated
    reply = gate_search(understood, found, **THRESHOLDS, heading_min_idf=3.0, handoff=None)

    # Then a rare word heading a section is enough to answer; a common one is not
    assert (reply.outcome if reply else None) == outcome
