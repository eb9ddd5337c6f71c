"""Each answered turn reports its operations metrics; LLM errors and fallbacks are the same
signals the admin statistics count (in-memory recorder and store, scripted LLM)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from pierre_rag.conversations import ConversationStore
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.metrics import MemoryRecorder, Metric, OperationsMetrics
from pierre_rag.pipeline import Pipeline, TurnRequest
from pierre_rag.pipeline.cost import estimate_cost
from pierre_rag.stats import collect
from pierre_rag.storage.memory import MemoryConversations
from tests.conftest import CONVERSATIONS_TABLE
from tests.fakes.llm import ScriptedLlm

LANDLORD = "exemple-hlm.fr"
QUESTION = "Quel est le préavis pour quitter mon logement ?"
RATE = 0.5  # euros per dollar, easy to check


def _pipeline(
    registry: LandlordRegistry,
    knowledge: object,
    llm: ScriptedLlm | None,
    recorder: MemoryRecorder,
    store: MemoryConversations | None = None,
) -> Pipeline:
    metrics = OperationsMetrics(recorder, lambda: registry.ids, usd_to_eur=RATE)
    return Pipeline(registry, knowledge, store, lambda landlord: llm, metrics=metrics)  # type: ignore[arg-type]


def _ask(pipeline: Pipeline, conversation: str = "c1", message: str | None = None) -> None:
    request = TurnRequest(
        landlord=LANDLORD,
        conversation_id=conversation,
        message_id=message or str(uuid.uuid4()),
        text=QUESTION,
    )
    asyncio.run(pipeline.answer(request))


def test_an_llm_answer_counts_its_answer_tokens_latency_and_cost_in_euros(registry, knowledge):
    # Given a landlord whose LLM understands and answers
    recorder = MemoryRecorder()
    pipeline = _pipeline(registry, knowledge, ScriptedLlm(), recorder)

    # When a question is answered
    _ask(pipeline)

    # Then one answer by the LLM, no error nor fallback, its tokens and its cost in euros
    assert {landlord for landlord, _, _ in recorder.records} == {LANDLORD}
    assert recorder.total(Metric.ANSWERS) == 1
    assert recorder.total(Metric.LLM_TURNS) == 1
    for metric in (Metric.LLM_ERRORS, Metric.LLM_FALLBACKS, Metric.EXTRACTIVE_FALLBACKS):
        assert recorder.total(metric) == 0
    tokens = 100 + 20 + 11 + 7  # the answer's and the understanding's
    assert recorder.total(Metric.LLM_TOKENS) == tokens
    usd = estimate_cost("openai:gpt-4o-mini-2024-07-18", 100 + 11, 20 + 7)
    assert usd > 0
    assert recorder.total(Metric.ESTIMATED_COST_EUR) == pytest.approx(usd * RATE)
    assert recorder.total(Metric.LLM_LATENCY) >= 0


def test_a_generation_failing_before_its_first_word_is_an_extractive_fallback(registry, knowledge):
    recorder = MemoryRecorder()
    pipeline = _pipeline(registry, knowledge, ScriptedLlm(fail_after=0), recorder)

    _ask(pipeline)

    assert recorder.total(Metric.LLM_ERRORS) == 1
    assert recorder.total(Metric.LLM_FALLBACKS) == 1
    assert recorder.total(Metric.EXTRACTIVE_FALLBACKS) == 1
    assert recorder.total(Metric.EXTRACTIVE_ANSWERS) == 1
    assert recorder.total(Metric.ANSWERS) == 1


def test_a_failed_understanding_is_a_fallback_but_not_an_extractive_one(registry, knowledge):
    recorder = MemoryRecorder()
    pipeline = _pipeline(registry, knowledge, ScriptedLlm(fail_understanding=True), recorder)

    _ask(pipeline)

    assert recorder.total(Metric.LLM_ERRORS) == 1
    assert recorder.total(Metric.LLM_FALLBACKS) == 1
    assert recorder.total(Metric.EXTRACTIVE_FALLBACKS) == 0


def test_an_answer_cut_short_is_an_error_and_no_fallback(registry, knowledge):
    recorder = MemoryRecorder()
    llm = ScriptedLlm(answer="Le préavis est d'un mois [1].", piece_chars=5, fail_after=2)
    pipeline = _pipeline(registry, knowledge, llm, recorder)

    _ask(pipeline)

    assert recorder.total(Metric.TURN_ERRORS) == 1
    assert recorder.total(Metric.LLM_ERRORS) == 1
    assert recorder.total(Metric.LLM_FALLBACKS) == 0


def test_without_an_llm_extractive_answers_are_no_fallback(registry, knowledge):
    recorder = MemoryRecorder()
    pipeline = _pipeline(registry, knowledge, None, recorder)

    _ask(pipeline)

    assert recorder.total(Metric.EXTRACTIVE_ANSWERS) == 1
    assert recorder.total(Metric.LLM_TURNS) == 0
    assert {name for _, name, _ in recorder.records}.isdisjoint(
        {Metric.LLM_FALLBACKS, Metric.EXTRACTIVE_FALLBACKS, Metric.LLM_TOKENS}
    )


def test_a_replayed_answer_is_not_counted_twice(registry, knowledge):
    # Given an answered message
    recorder = MemoryRecorder()
    pipeline = _pipeline(registry, knowledge, None, recorder, MemoryConversations())
    _ask(pipeline, message="m1")

    # When the client retries it
    _ask(pipeline, message="m1")

    # Then it was counted once
    assert recorder.total(Metric.ANSWERS) == 1


def test_the_statistics_count_the_fallbacks_the_metrics_count(registry, knowledge):
    # Given turns with a failed generation, a failed understanding and a good answer
    recorder = MemoryRecorder()
    store = MemoryConversations()
    for conversation, llm in [
        ("c-generation", ScriptedLlm(fail_after=0)),
        ("c-understanding", ScriptedLlm(fail_understanding=True)),
        ("c-fine", ScriptedLlm()),
    ]:
        _ask(_pipeline(registry, knowledge, llm, recorder, store), conversation)

    # When the statistics of the day are read
    meta = store.get_meta("c-fine")
    assert meta is not None
    day = datetime.fromtimestamp(meta.created_ms / 1000, tz=UTC).date().isoformat()
    report = collect(store, LANDLORD, [day])

    # Then they show the errors and fallbacks the metrics counted
    assert dict(report.signals) == {
        "llm_error": recorder.total(Metric.LLM_ERRORS),
        "llm_fallback": recorder.total(Metric.LLM_FALLBACKS),
        "extractive_fallback": recorder.total(Metric.EXTRACTIVE_FALLBACKS),
    }
    assert dict(report.signals) == {"llm_error": 2, "llm_fallback": 2, "extractive_fallback": 1}


def test_dynamodb_meta_adds_up_the_signals_of_the_answers(registry, knowledge, dynamodb):
    # Given the DynamoDB store (moto) and two turns whose generation failed
    store = ConversationStore(dynamodb, CONVERSATIONS_TABLE)
    pipeline = _pipeline(registry, knowledge, ScriptedLlm(fail_after=0), MemoryRecorder())

    # When both are answered in one conversation
    pipeline.store = store
    _ask(pipeline, "c-dynamo")
    _ask(pipeline, "c-dynamo")

    # Then META counts each signal once per answer
    meta = store.get_meta("c-dynamo")
    assert meta is not None
    assert meta.signals == {"llm_error": 2, "llm_fallback": 2, "extractive_fallback": 2}
