"""Persist: the user's message recorded once with its history read, the answer after it
(moto DynamoDB, the real conversation store)."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from pierre_rag.conversations import Turn
from pierre_rag.landlords import ContextConfig, LandlordConfig
from pierre_rag.pipeline.models import AnswerResult, Outcome, Source, StepTimings, TurnRequest
from pierre_rag.pipeline.persist import (
    MessageInProgressError,
    TurnRecorder,
    answer_turn,
    replay,
)
from pierre_rag.storage.memory import MemoryConversations

LANDLORD = LandlordConfig(
    id="exemple-hlm.fr", name="Exemple HLM", contexts={"default": ContextConfig()}
)
NOW_MS = 1_800_000_000_000
SOURCE = Source(number=1, file="a.md", title="T", heading="H", breadcrumb="T > H")


@pytest.fixture
def store():
    return MemoryConversations()


def _recorder(store, history_turns: int = 8, ticking: bool = False) -> TurnRecorder:
    """A recorder whose clock stands at NOW_MS, or advances a second at every reading."""
    now_ms = itertools.count(NOW_MS, 1000).__next__ if ticking else lambda: NOW_MS
    return TurnRecorder(
        store, history_turns=history_turns, abandoned_after_ms=60_000, now_ms=now_ms
    )


def _request(message_id: str, text: str = "question ?") -> TurnRequest:
    return TurnRequest(
        landlord=LANDLORD.id, conversation_id="conv-1", message_id=message_id, text=text
    )


def _answered(text: str = "réponse") -> AnswerResult:
    return AnswerResult(text=text, outcome=Outcome.ANSWERED, language="fr", sources=[SOURCE])


def _ask(recorder: TurnRecorder, request: TurnRequest):
    return asyncio.run(recorder.record_question(request, LANDLORD, None))


def test_the_history_is_the_last_turns_before_the_message(store):
    # Given a conversation with two answered messages
    recorder = _recorder(store, history_turns=3, ticking=True)
    for n in (1, 2):
        asked = _ask(recorder, _request(f"m{n}", f"question {n}"))
        recorder.record_answer(_request(f"m{n}"), LANDLORD, asked.question, _answered(f"r{n}"))

    # When a third message is recorded
    recorded = _ask(recorder, _request("m3", "question 3"))

    # Then it is stored, and the history is the three turns before it (not itself)
    assert [t.content for t in recorded.history] == ["r1", "question 2", "r2"]
    assert recorded.answer is None and recorded.question.content == "question 3"
    assert [t.message_id for t in store.all_turns("conv-1")][-1] == "m3"


def test_a_retried_message_comes_back_with_its_stored_answer(store):
    # Given a message answered already
    recorder = _recorder(store)
    asked = _ask(recorder, _request("m1"))
    recorder.record_answer(_request("m1"), LANDLORD, asked.question, _answered())

    # When the same message is recorded again
    again = _ask(recorder, _request("m1"))

    # Then its answer comes back to be replayed, and nothing was stored twice
    assert again.answer is not None and again.answer.content == "réponse"
    assert len(store.all_turns("conv-1")) == 2


def test_a_message_still_being_answered_is_refused_and_an_abandoned_one_answered(store):
    # Given two unanswered messages: one received 5 s ago, one 10 minutes ago
    recorder = _recorder(store)
    for message_id, age_ms in (("busy", 5_000), ("abandoned", 600_000)):
        store.record_user_turn(
            "conv-1",
            Turn("user", "question ?", message_id, NOW_MS - age_ms),
            landlord=LANDLORD.id,
            context="default",
            channel="web",
            retention_days=30,
        )

    # When each is recorded again
    # Then the recent one is in progress elsewhere; the old one is answered now, as stored
    with pytest.raises(MessageInProgressError):
        _ask(recorder, _request("busy"))
    abandoned = _ask(recorder, _request("abandoned"))
    assert abandoned.answer is None
    assert abandoned.question.created_ms == NOW_MS - 600_000
    assert [t.message_id for t in abandoned.history] == ["busy"]


def test_without_a_store_nothing_is_recorded_and_there_is_no_history():
    recorder = _recorder(None)

    recorded = _ask(recorder, _request("m1"))
    recorder.record_answer(_request("m1"), LANDLORD, recorded.question, _answered())

    assert recorded.history == [] and recorded.answer is None
    assert recorded.question.created_ms == NOW_MS


def test_the_answer_is_stored_after_its_question_even_if_the_clock_went_back():
    # Given a question stamped after the answer's clock reading (clock set back)
    question = Turn("user", "q", "m1", NOW_MS + 10)
    result = _answered()
    result.timings = StepTimings(total_ms=123.456, llm_ms=100.04)

    # When the answer turn is built
    turn = answer_turn(_request("m1"), question, result, now_ms=NOW_MS)

    # Then it is ordered after its question and carries the rounded latencies and sources
    assert turn.created_ms == NOW_MS + 11
    assert turn.latency_ms == {"total": 123.5, "llm": 100.0}
    assert turn.sources == [SOURCE.model_dump()] and turn.outcome == "answered"


def test_a_replayed_answer_streams_as_a_fresh_one_with_sources_where_shown():
    # Given a stored answer with a source
    stored = Turn("assistant", "réponse", "m1", NOW_MS, sources=[SOURCE.model_dump()])

    # When it is replayed in a context that shows sources, and in one that does not
    shown = replay(stored, show_sources=True)
    hidden = replay(stored, show_sources=False)

    # Then the events are delta, sources, done (marked replayed); without sources: no sources
    assert [e.type for e in shown] == ["delta", "sources", "done"]
    assert shown[-1].result is not None and shown[-1].result.replayed
    assert [e.type for e in hidden] == ["delta", "done"]
