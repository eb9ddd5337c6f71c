"""A question close enough to one staff validated gets the validated answer, on the web and by
SMS; the emergency block still comes first, another subject and another landlord never get it.
The real embedder (the search's), so the threshold is the one served."""

from __future__ import annotations

import asyncio

import pytest

from pierre_rag.channel import Channel
from pierre_rag.pipeline import Outcome, Pipeline
from pierre_rag.pipeline.models import PipelineEvent
from pierre_rag.review.matching import ValidatedAnswers
from pierre_rag.review.validated import ValidatedAnswer
from pierre_rag.storage.memory import MemoryConversations, MemoryValidatedAnswers
from tests.helpers import tenant_turn

LANDLORD = "exemple-hlm.fr"
QUESTION = "Quels sont les horaires d'ouverture de l'agence ?"
ANSWER = "L'agence est ouverte du lundi au vendredi de 9 h à 12 h."
SOURCE = {
    "number": 1,
    "file": "exemple-hlm.fr/public/agence.md",
    "title": "Agence",
    "heading": "Horaires",
    "breadcrumb": "Agence > Horaires",
}


def _validated(landlord: str = LANDLORD) -> ValidatedAnswer:
    return ValidatedAnswer(
        answer_id="hours",
        landlord=landlord,
        question=QUESTION,
        answer=ANSWER,
        validated_by=f"staff@{LANDLORD}",
        validated_ms=1,
        sources=[SOURCE],
    )


@pytest.fixture
def validated():
    store = MemoryValidatedAnswers()
    store.add(_validated())
    return store


@pytest.fixture
def pipeline(registry, knowledge, validated):
    matcher = ValidatedAnswers(validated, lambda: knowledge.embedder)
    return Pipeline(
        registry, knowledge, MemoryConversations(), lambda landlord: None, validated=matcher
    )


def _ask(pipeline: Pipeline, text: str, channel: Channel = "web") -> list[PipelineEvent]:
    request = tenant_turn(LANDLORD, text, channel)

    async def run() -> list[PipelineEvent]:
        return [event async for event in pipeline.stream(request)]

    return asyncio.run(run())


def test_a_close_question_gets_the_validated_answer_with_its_sources(pipeline):
    events = _ask(pipeline, "quels sont les horaires d'ouverture de l'agence")

    result = events[-1].result
    assert result is not None
    assert (result.mode, result.outcome) == ("validated", Outcome.ANSWERED)
    assert result.text == f"{ANSWER}\n\n*Réponse validée par Exemple HLM*"
    assert [source.file for source in result.sources] == [SOURCE["file"]]
    assert [event.type for event in events] == ["delta", "sources", "done"]


def test_by_sms_the_validated_answer_is_plain_text(pipeline):
    result = _ask(pipeline, "quels sont les horaires d'ouverture de l'agence", "sms")[-1].result

    assert result is not None and result.mode == "validated"
    assert result.text == f"{ANSWER}\n\nRéponse validée par Exemple HLM"


def test_another_subject_is_searched_not_answered_with_it(pipeline):
    result = _ask(pipeline, "Combien de temps de préavis pour quitter mon logement ?")[-1].result

    assert result is not None and result.mode != "validated"
    assert ANSWER not in result.text


def test_the_emergency_block_comes_before_the_validated_answer(registry, knowledge, validated):
    # Given a matcher loose enough to serve the answer to a message that also smells gas
    matcher = ValidatedAnswers(validated, lambda: knowledge.embedder, threshold=0.3)
    pipeline = Pipeline(
        registry, knowledge, MemoryConversations(), lambda landlord: None, validated=matcher
    )

    # when it is asked
    result = _ask(pipeline, "ça sent le gaz, quels sont les horaires de l'agence ?")[-1].result

    # then the emergency block comes first, the validated answer after it
    assert result is not None and result.mode == "validated"
    assert result.emergencies == ["gas"]
    assert result.text.startswith("**URGENCE**")
    assert result.text.index("URGENCE") < result.text.index(ANSWER)


def test_another_landlords_validated_answer_is_never_served(registry, knowledge):
    theirs = MemoryValidatedAnswers()
    theirs.add(_validated("autre-hlm.fr"))
    matcher = ValidatedAnswers(theirs, lambda: knowledge.embedder)
    pipeline = Pipeline(
        registry, knowledge, MemoryConversations(), lambda landlord: None, validated=matcher
    )

    result = _ask(pipeline, QUESTION)[-1].result

    assert result is not None and result.mode != "validated"
