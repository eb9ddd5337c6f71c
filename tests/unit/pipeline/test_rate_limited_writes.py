"""Rate limits that ride in the user turn's transaction (one DynamoDB round trip for both)."""

from __future__ import annotations

import time

import pytest

from pierre_local.resources import LocalResources
from pierre_rag.conversations import (
    ConversationStore,
    DuplicateMessageError,
    GuardRefusedError,
    Turn,
)
from pierre_rag.ratelimit import Limit, RateLimiter, Verdict
from tests.conftest import CONVERSATIONS_TABLE

LIMITS_TABLE = LocalResources.physical_name("RateLimitsTable")
PER_IP = Limit("ip", max_hits=2, window_s=60)
PER_CONVERSATION = Limit("conversation", max_hits=5, window_s=60)


@pytest.fixture
def store(dynamodb):
    return ConversationStore(dynamodb, CONVERSATIONS_TABLE)


@pytest.fixture
def limiter(dynamodb):
    return RateLimiter(dynamodb, LIMITS_TABLE, lambda: 1_000_000)


def _ask(store, limiter, message: str, conversation: str = "c1", ip: str = "198.51.100.7"):
    guard = limiter.guard([(PER_IP, ip), (PER_CONVERSATION, conversation)])
    turn = Turn("user", f"question {message}", message, int(time.time() * 1000))
    store.record_user_turn(
        conversation,
        turn,
        landlord="exemple-hlm.fr",
        context="default",
        channel="web",
        retention_days=30,
        guard=guard,
    )


def _hits(dynamodb) -> dict[str, int]:
    items = dynamodb.scan(TableName=LIMITS_TABLE)["Items"]
    return {item["pk"]["S"].split("#")[0]: int(item["hits"]["N"]) for item in items}


def test_a_refused_message_stores_nothing_and_consumes_no_other_limit(store, limiter, dynamodb):
    # Given an IP that already sent its two messages
    _ask(store, limiter, "m1")
    _ask(store, limiter, "m2")

    # When it sends a third one
    with pytest.raises(GuardRefusedError) as refused:
        _ask(store, limiter, "m3")

    # Then the verdict names the IP limit with a retry delay, and nothing of m3 is stored
    verdict = refused.value.reason
    assert isinstance(verdict, Verdict)
    assert verdict.limit is PER_IP and 1 <= verdict.retry_after_s <= 60
    assert [t.message_id for t in store.last_turns("c1")] == ["m1", "m2"]
    assert store.answer_to("c1", "m3") is None
    assert _hits(dynamodb) == {"ip": 2, "conversation": 2}
    assert store.get_meta("c1").turn_count == 2


def test_a_retried_message_is_replayed_even_over_the_limit(store, limiter):
    _ask(store, limiter, "m1")
    _ask(store, limiter, "m2")

    with pytest.raises(DuplicateMessageError):
        _ask(store, limiter, "m2")


def test_each_accepted_message_counts_once_per_limit(store, limiter, dynamodb):
    _ask(store, limiter, "m1", ip="a")
    _ask(store, limiter, "m2", ip="b")

    assert sorted(int(i["hits"]["N"]) for i in dynamodb.scan(TableName=LIMITS_TABLE)["Items"]) == [
        1,
        1,
        2,
    ]
