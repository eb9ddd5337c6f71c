"""Concurrent user turns from one IP against DynamoDB Local: their transactions share the
per-IP counter, and none may fail for it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pierre_rag.conversations import ConversationStore, Turn
from pierre_rag.ratelimit import Limit, RateLimiter
from pierre_rag.transactions import ConflictRetry
from tests.conftest import CONVERSATIONS_TABLE
from tests.helpers import FROZEN_FUTURE_S

LIMITS_TABLE = "pierre-local-RateLimitsTable"
TURNS = 40
PER_IP = Limit("ip", max_hits=1_000, window_s=3_600)
PER_CONVERSATION = Limit("conversation", max_hits=10, window_s=3_600)


def _turn(store: ConversationStore, limiter: RateLimiter, index: int) -> None:
    guard = limiter.guard([(PER_IP, "203.0.113.9"), (PER_CONVERSATION, f"c{index}")])
    store.record_user_turn(
        f"c{index}",
        Turn("user", "Bonjour", f"m{index}", 1_000 + index),
        landlord="exemple-hlm.fr",
        context="default",
        channel="web",
        retention_days=30,
        guard=guard,
    )


def test_concurrent_turns_from_one_ip_are_all_stored_and_counted(dynamodb: Any) -> None:
    # Given: 40 visitors behind one address, each starting a conversation at the same time
    store = ConversationStore(dynamodb, CONVERSATIONS_TABLE, retry=ConflictRetry(attempts=8))
    limiter = RateLimiter(dynamodb, LIMITS_TABLE, clock=lambda: FROZEN_FUTURE_S)

    # When: their turns are recorded concurrently
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda index: _turn(store, limiter, index), range(TURNS)))

    # Then: every turn is stored and the shared counter counted each exactly once
    assert all(store.get_meta(f"c{index}") is not None for index in range(TURNS))
    counters = dynamodb.scan(TableName=LIMITS_TABLE)["Items"]
    ip_hits = [int(item["hits"]["N"]) for item in counters if item["pk"]["S"].startswith("ip#")]
    assert ip_hits == [TURNS]
