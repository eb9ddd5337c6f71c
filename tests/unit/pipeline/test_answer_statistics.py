"""From a turn to the statistics: latency stored with the answer, failed turns counted as
errors, an answer that could not be written never counted as answered (moto DynamoDB)."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import ClientError

from pierre_rag.conversations import ConversationMeta, ConversationStore
from pierre_rag.limits import ABANDONED_AFTER_MS
from pierre_rag.pipeline import Pipeline, TurnRequest
from pierre_rag.stats import collect, unanswered_questions
from tests.conftest import CONVERSATIONS_TABLE

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

LANDLORD = "exemple-hlm.fr"
QUESTION = "ma chaudière ne marche plus, qui appeler ?"


class TickingTimer:
    """A monotonic clock that advances ``step_s`` at every reading."""

    def __init__(self, step_s: float) -> None:
        self._ticks = itertools.count()
        self.step_s = step_s

    def __call__(self) -> float:
        return next(self._ticks) * self.step_s


class FailingSearch:
    """A knowledge base whose search breaks (a corrupt datastore, a bug)."""

    def __init__(self, knowledge: Any) -> None:
        self._knowledge = knowledge

    def search_many(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("search broke")


class AnswerWriteFails:
    """The DynamoDB client, except that writing an assistant turn fails (throttling…)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def put_item(self, **kwargs: Any) -> Any:
        if kwargs["Item"].get("role", {}).get("S") == "assistant":
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}},
                "PutItem",
            )
        return self._client.put_item(**kwargs)


@pytest.fixture
def store(dynamodb: Any) -> ConversationStore:
    return ConversationStore(dynamodb, CONVERSATIONS_TABLE)


def _ask(pipeline: Pipeline, conversation: str) -> None:
    request = TurnRequest(
        landlord=LANDLORD, conversation_id=conversation, message_id=str(uuid.uuid4()), text=QUESTION
    )
    asyncio.run(pipeline.answer(request))


def _stats_after(store: ConversationStore, conversation: str, after_ms: int) -> Any:
    meta = store.get_meta(conversation)
    assert meta is not None
    day = datetime.fromtimestamp(meta.created_ms / 1000, tz=UTC).date().isoformat()
    return collect(store, LANDLORD, [day], now_ms=meta.last_ms + after_ms)


def test_the_stored_answer_carries_the_latency_of_its_turn(registry, knowledge, store):
    # Given a pipeline whose clock advances 5 ms at every reading
    pipeline = Pipeline(
        registry, knowledge, store, lambda landlord: None, timer=TickingTimer(0.005)
    )

    # when a question is answered
    _ask(pipeline, "conv-latency")

    # then the answer, META and the statistics carry the turn's latency, not 0 ms
    answer = store.all_turns("conv-latency")[-1]
    assert answer.role == "assistant"
    total = answer.latency_ms["total"]
    assert total > 0
    assert store.get_meta("conv-latency").latencies_ms == [total]
    report = _stats_after(store, "conv-latency", after_ms=0)
    assert report.latency_median_ms == total
    assert report.outcomes["answered"] == 1


def test_a_turn_that_failed_after_storing_its_question_counts_as_an_error(
    registry, knowledge, store
):
    # Given a pipeline that fails after storing the question (as a 500 would)
    pipeline = Pipeline(registry, FailingSearch(knowledge), store, lambda landlord: None)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="search broke"):
        _ask(pipeline, "conv-failed")

    # when the statistics are read once no request can still be answering it
    report = _stats_after(store, "conv-failed", after_ms=ABANDONED_AFTER_MS + 1)

    # then the question counts as an error, and nothing as answered
    assert report.outcomes["error"] == 1
    assert report.outcomes["answered"] == 0
    assert report.answer_rate == 0.0


def test_a_question_still_being_answered_is_not_an_error_yet(registry, knowledge, store):
    pipeline = Pipeline(registry, FailingSearch(knowledge), store, lambda landlord: None)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        _ask(pipeline, "conv-pending")

    report = _stats_after(store, "conv-pending", after_ms=1_000)

    assert report.outcomes["error"] == 0


def test_an_answer_that_could_not_be_written_is_not_counted_as_answered(
    registry, knowledge, store, dynamodb
):
    # Given a store where writing the answer's turn fails
    failing = ConversationStore(
        cast("DynamoDBClient", AnswerWriteFails(dynamodb)), CONVERSATIONS_TABLE
    )
    pipeline = Pipeline(registry, knowledge, failing, lambda landlord: None)

    # when a question is asked and the answer cannot be stored
    with pytest.raises(ClientError):
        _ask(pipeline, "conv-unwritten")

    # then no answer is stored, none is counted, and the question counts as an error
    assert [turn.role for turn in store.all_turns("conv-unwritten")] == ["user"]
    meta = store.get_meta("conv-unwritten")
    assert meta is not None and meta.outcomes == {} and meta.latencies_ms == []
    report = _stats_after(store, "conv-unwritten", after_ms=ABANDONED_AFTER_MS + 1)
    assert (report.outcomes["answered"], report.outcomes["error"]) == (0, 1)


@pytest.mark.parametrize(
    ("turn_count", "outcomes", "age_ms", "expected"),
    [
        (2, {"answered": 1}, 10**9, 0),  # answered
        (1, {}, 10**9, 1),  # failed long ago
        (1, {}, 5_000, 0),  # may still be being answered
        (3, {"answered": 1}, 5_000, 0),  # the latest question is in progress
        (5, {"answered": 1}, 5_000, 2),  # two older ones failed, the latest is in progress
        (0, {"answered": 2}, 10**9, 0),  # counters from before turn_count: never negative
    ],
)
def test_unanswered_questions_are_the_turns_no_answer_was_counted_for(
    turn_count, outcomes, age_ms, expected
):
    meta = ConversationMeta(
        "c", LANDLORD, "default", "web", 0, last_ms=1_000, turn_count=turn_count, outcomes=outcomes
    )

    assert unanswered_questions(meta, now_ms=1_000 + age_ms) == expected
