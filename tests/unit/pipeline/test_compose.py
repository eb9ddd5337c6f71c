"""Compose: fixed replies, LLM answers and extractive fallbacks, in the channel's style."""

from __future__ import annotations

import asyncio

import pytest

from pierre_rag.conversations import Turn
from pierre_rag.landlords import ContextConfig, Handoff, LandlordConfig
from pierre_rag.pipeline.channels import SMS, WEB, ChannelStyle
from pierre_rag.pipeline.compose import (
    _names_any,
    fixed_answer,
    grounded_answer,
    question_for_generation,
)
from pierre_rag.pipeline.gate import FixedReply
from pierre_rag.pipeline.models import AnswerResult, Outcome, Source, Understanding
from pierre_rag.pipeline.retrieve import Grounding
from tests.fakes.llm import ScriptedLlm

CONTEXT = ContextConfig(handoff=Handoff(label="Agence", phone="01 99 00 00 00", hours="9h-17h"))
LANDLORD = LandlordConfig(id="exemple-hlm.fr", name="Exemple HLM", contexts={"default": CONTEXT})
GROUNDING = Grounding(
    sources=[
        Source(number=1, file="a.md", title="Quitter", heading="Préavis", breadcrumb="Quitter")
    ],
    texts=["Le préavis est d'un mois pour un logement meublé."],
)
MARKDOWN_ANSWER = "**Un mois** [1]. Voir [le site](https://exemple.fr)."


def _result() -> AnswerResult:
    return AnswerResult(text="", outcome=Outcome.ANSWERED, language="fr")


def _compose(
    style: ChannelStyle,
    llm: ScriptedLlm | None,
    result: AnswerResult,
    understanding: Understanding | None = None,
) -> list[str]:
    async def collect() -> list[str]:
        return [
            piece
            async for piece in grounded_answer(
                GROUNDING,
                text="préavis meublé ?",
                understanding=understanding or Understanding(),
                history=[],
                landlord=LANDLORD,
                context=CONTEXT,
                style=style,
                llm=llm,
                result=result,
            )
        ]

    return asyncio.run(collect())


def test_a_fixed_reply_is_written_in_the_channels_markup():
    # Given the gate's reply in Markdown
    reply = FixedReply(Outcome.NOTHING_FOUND, "Rien trouvé : **appelez** [l'agence](https://a.fr).")

    # When it is composed for SMS
    result = _result()
    text = fixed_answer(reply, SMS, result)

    # Then it is plain text, and the result says it was a fixed reply with the gate's outcome
    assert text == result.text == "Rien trouvé : appelez l'agence (https://a.fr)."
    assert (result.mode, result.outcome) == ("fixed", Outcome.NOTHING_FOUND)


def test_the_llm_answers_within_the_channels_budget_and_markup():
    # Given an LLM answering in Markdown (in one piece)
    llm = ScriptedLlm(answer=MARKDOWN_ANSWER, piece_chars=len(MARKDOWN_ANSWER))

    # When an SMS answer is composed
    result = _result()
    pieces = _compose(SMS, llm, result)

    # Then the LLM was given the SMS budget and format rule, and its answer comes as plain
    # text that keeps its citations; its tokens and model are counted
    (call,) = llm.calls
    assert call.max_tokens == SMS.max_tokens
    assert SMS.format_rule in call.messages[0].content
    assert "**" not in "".join(pieces) and "[1]" in "".join(pieces)
    assert (result.mode, result.llm_round_trips) == ("llm", 1)
    assert (result.prompt_tokens, result.completion_tokens) == (100, 20)
    assert result.model == "openai:gpt-4o-mini-2024-07-18"


def test_an_sms_llm_answer_streamed_word_by_word_keeps_its_spaces():
    # Given an LLM streaming its answer in pieces of a few characters, markup split across them
    llm = ScriptedLlm(answer="Le préavis est d'un **mois** [1].", piece_chars=3)

    # When an SMS answer is composed
    pieces = _compose(SMS, llm, _result())

    # Then the plain text keeps every space and no markup (it was converted whole)
    assert "".join(pieces) == "Le préavis est d'un mois [1]."


def test_an_sms_llm_answer_failing_midway_sends_its_start_in_plain_text():
    result = _result()

    pieces = _compose(SMS, ScriptedLlm(answer=MARKDOWN_ANSWER, piece_chars=5, fail_after=3), result)

    assert pieces == [
        "Un mois [1]",
        "\n\nDésolé, une erreur est survenue. Réessayez dans un instant.",
    ]
    assert result.outcome is Outcome.ERROR


def test_on_the_web_the_llms_markdown_is_streamed_as_is():
    llm = ScriptedLlm(answer=MARKDOWN_ANSWER)

    pieces = _compose(WEB, llm, _result())

    assert "".join(pieces) == MARKDOWN_ANSWER
    assert llm.calls[0].max_tokens == WEB.max_tokens


def test_an_llm_failing_before_its_first_word_is_replaced_by_excerpts():
    # Given an LLM whose answer fails at once
    result = _result()

    # When a web answer is composed
    pieces = _compose(WEB, ScriptedLlm(fail_after=0), result)

    # Then the best section is quoted instead, with who to call, and the call is counted
    (text,) = pieces
    assert text.startswith("**Préavis** [1]\n\nLe préavis est d'un mois")
    assert "Pour en savoir plus : « Quitter » [1]." in text
    assert text.endswith("Pour une réponse personnalisée : Agence, 01 99 00 00 00.")
    assert (result.mode, result.llm_round_trips, result.outcome) == (
        "extractive",
        1,
        Outcome.ANSWERED,
    )


def test_an_llm_failing_mid_answer_keeps_what_was_sent_and_apologises():
    # Given an LLM that fails after two pieces
    result = _result()

    # When an answer is composed
    pieces = _compose(WEB, ScriptedLlm(answer=MARKDOWN_ANSWER, piece_chars=5, fail_after=2), result)

    # Then the two pieces stay, an apology follows, and the turn counts as an error
    assert pieces == [
        "**Un ",
        "mois*",
        "\n\nDésolé, une erreur est survenue. Réessayez dans un instant.",
    ]
    assert result.outcome is Outcome.ERROR and result.llm_round_trips == 1


def test_without_an_llm_the_sms_answer_quotes_one_passage_with_the_short_contact():
    result = _result()

    pieces = _compose(SMS, None, result)

    assert pieces == [
        "Le préavis est d'un mois pour un logement meublé.\n"
        "Pour une réponse personnalisée : Agence, 01 99 00 00 00."
    ]
    assert (result.mode, result.llm_round_trips) == ("extractive", 0)


def test_an_abusive_message_with_a_real_question_gets_a_reminder_first():
    pieces = _compose(WEB, None, _result(), Understanding(abusive=True, search_queries=["q"]))

    assert pieces[0] == "Je vous réponds volontiers, en restant courtois de part et d'autre.\n\n"
    assert pieces[1].startswith("**Préavis** [1]")


def test_the_llm_reads_the_standalone_rewrite_beside_the_users_words():
    assert question_for_generation("et meublé ?", "") == "et meublé ?"
    assert question_for_generation("et meublé ?", "et meublé ?") == "et meublé ?"
    assert question_for_generation("et meublé ?", "Préavis d'un meublé ?") == (
        "et meublé ?\n\n(Question reformulée : Préavis d'un meublé ?)"
    )


def _extractive(grounding: Grounding, history: list[Turn], result: AnswerResult) -> str:
    async def collect() -> list[str]:
        return [
            piece
            async for piece in grounded_answer(
                grounding,
                text="et si je pars pour raison de santé ?",
                understanding=Understanding(),
                history=history,
                landlord=LANDLORD,
                context=CONTEXT,
                style=WEB,
                llm=None,
                result=result,
            )
        ]

    return "".join(asyncio.run(collect()))


def _two_sources() -> Grounding:
    return Grounding(
        sources=[
            Source(number=1, file="a.md", title="Quitter", heading="Préavis", breadcrumb="Q"),
            Source(number=2, file="a.md", title="Quitter", heading="Cas réduits", breadcrumb="Q"),
        ],
        texts=["Trois mois pour un logement vide.", "Un mois pour raison de santé."],
    )


def test_an_answer_identical_to_the_previous_one_quotes_the_next_best_section():
    # Given a conversation whose last answer is the one the sources found would give again
    previous = _extractive(_two_sources(), [], _result())
    history = [Turn("user", "préavis ?", "m1", 1), Turn("assistant", previous, "m1", 2)]

    # When the follow-up is answered from the same sources
    grounding = _two_sources()
    result = _result()
    text = _extractive(grounding, history, result)

    # Then the answer differs: it starts from the next-best section, renumbered, and only the
    # sections it quotes are its sources
    assert text != previous
    assert "**Cas réduits** [1]" in text and "**Préavis**" not in text
    assert [(s.number, s.heading) for s in grounding.sources] == [(1, "Cas réduits")]
    assert result.outcome is Outcome.ANSWERED


def test_when_every_answer_would_repeat_the_previous_one_nothing_new_is_said_with_the_contact():
    # Given a previous answer quoting the only section found
    previous = _extractive(_one_source(), [], _result())
    history = [Turn("assistant", previous, "m1", 2)]

    # When the next message finds that section again
    grounding = _one_source()
    result = _result()
    text = _extractive(grounding, history, result)

    # Then the tenant is told nothing more was found, with the landlord's contact, no source
    assert text != previous
    assert "pas trouvé" in text and "01 99 00 00 00" in text
    assert (result.outcome, result.mode) == (Outcome.NOTHING_FOUND, "fixed")
    assert grounding.sources == []


def _one_source() -> Grounding:
    return Grounding(sources=list(GROUNDING.sources), texts=list(GROUNDING.texts))


@pytest.mark.parametrize("style", [WEB, SMS], ids=["web", "sms"])
@pytest.mark.parametrize(
    "llm",
    [
        ScriptedLlm(answer=""),
        ScriptedLlm(answer="\n\n   \n", piece_chars=2),
        ScriptedLlm(answer="", finish_reason="content_filter"),
    ],
    ids=["empty", "blank", "filtered"],
)
def test_an_llm_answering_nothing_is_replaced_by_excerpts(style, llm):
    # Given an LLM whose stream ends with no visible text, or which its filter stopped
    result = _result()

    # When an answer is composed
    text = "".join(_compose(style, llm, result))

    # Then the sections are quoted instead, as when the call fails, and the call is counted
    assert "Le préavis est d'un mois" in text and "01 99 00 00 00" in text
    assert (result.mode, result.llm_round_trips, result.outcome) == (
        "extractive",
        1,
        Outcome.ANSWERED,
    )
    assert (result.prompt_tokens, result.completion_tokens) == (100, 20)  # they were spent


def test_blank_lines_before_the_llms_first_word_are_left_out():
    pieces = _compose(WEB, ScriptedLlm(answer="\n\n Un mois [1].", piece_chars=2), _result())

    assert "".join(pieces) == "Un mois [1]."


def test_an_sms_llm_answer_of_markup_only_is_replaced_by_excerpts():
    # Given an LLM answering only Markdown markup, which is nothing once made plain text
    result = _result()

    # When an SMS answer is composed
    pieces = _compose(SMS, ScriptedLlm(answer="** **"), result)

    # Then the section is quoted instead
    assert "".join(pieces).startswith("Le préavis est d'un mois")
    assert (result.mode, result.llm_round_trips) == ("extractive", 1)


def test_an_answer_the_filter_stops_midway_keeps_what_was_sent_and_apologises():
    # Given an LLM whose provider's filter stops it after two pieces were streamed
    result = _result()
    llm = ScriptedLlm(answer="Un mois [1].", piece_chars=4, finish_reason="content_filter")

    # When a web answer is composed
    pieces = _compose(WEB, llm, result)

    # Then what was streamed stays, an apology follows, and the turn counts as an error
    assert "".join(pieces[:-1]) == "Un mois [1]."
    assert pieces[-1] == "\n\nDésolé, une erreur est survenue. Réessayez dans un instant."
    assert result.outcome is Outcome.ERROR


def test_a_repeated_answer_is_not_replaced_by_another_articles_section():
    # Given a previous answer quoting the best section, and another article's section found
    grounding = Grounding(
        sources=[
            Source(number=1, file="a.md", title="Quitter", heading="Préavis", breadcrumb="Q"),
            Source(number=2, file="b.md", title="Animaux", heading="Chiens", breadcrumb="A"),
        ],
        texts=["Trois mois pour un logement vide.", "Un chien est admis."],
    )
    previous = _extractive(_one_source_of(grounding), [], _result())
    history = [Turn("assistant", previous, "m1", 2)]

    # When the follow-up finds them again
    result = _result()
    text = _extractive(grounding, history, result)

    # Then nothing new is said, rather than another subject's section
    assert "Chiens" not in text and "pas trouvé" in text
    assert result.outcome is Outcome.NOTHING_FOUND


def _one_source_of(grounding: Grounding) -> Grounding:
    return Grounding(sources=grounding.sources[:1], texts=grounding.texts[:1])


def test_an_extractive_answer_quotes_one_section_and_shows_the_other_articles_as_sources():
    # Given the section that answers, and another article's section found after it
    grounding = Grounding(
        sources=[
            Source(number=1, file="a.md", title="Quitter", heading="Préavis", breadcrumb="Q"),
            Source(number=2, file="b.md", title="Animaux", heading="Chiens", breadcrumb="A"),
        ],
        texts=["Trois mois pour un logement vide.", "Un chien est admis dans le logement."],
    )

    # When it is answered on the web without an LLM
    result = _result()
    text = _extractive(grounding, [], result)

    # Then one passage is quoted, the other article is only offered, and the result says which
    # source is quoted; both are the answer's sources
    assert "Trois mois" in text and "Un chien" not in text
    assert "« Animaux » [2]" in text
    assert result.quoted == [1]
    assert [(s.number, s.heading) for s in grounding.sources] == [(1, "Préavis"), (2, "Chiens")]


def _asked(grounding: Grounding, text: str) -> str:
    async def collect() -> list[str]:
        return [
            piece
            async for piece in grounded_answer(
                grounding,
                text=text,
                understanding=Understanding(),
                history=[],
                landlord=LANDLORD,
                context=CONTEXT,
                style=WEB,
                llm=None,
                result=_result(),
            )
        ]

    return "".join(asyncio.run(collect()))


def _residences(opening: str, naming: str) -> Grounding:
    source = Source(number=1, file="r.md", title="Résidences", heading="Résidences", breadcrumb="R")
    return Grounding(sources=[source], texts=[f"{opening}\n\n{naming}"], acronyms=["xyz"])


LONG_OPENING = " ".join(["Une résidence accueille des personnes pour un temps limité."] * 30)


def test_a_passage_starts_at_the_sentence_naming_the_acronym_asked_about() -> None:
    # Given a section that names the acronym only after a long opening
    grounding = _residences(LONG_OPENING, "On y entre par le XYZ, le service d'orientation.")

    # When a tenant asks what it is
    answer = _asked(grounding, "c'est quoi le XYZ ?")

    # Then the passage reaches the sentence naming it
    assert "On y entre par le XYZ" in answer


@pytest.mark.parametrize("passage", ["orientées par le XYZ.", "le service (XYZ) oriente", "XYZ,"])
def test_an_acronym_followed_by_punctuation_counts_as_named(passage: str) -> None:
    # "SIAO." or "(SIAO)" in a passage names it: the passage needs no cut to reach it
    assert _names_any(passage, ["xyz"])
