"""Rate limits: counted in DynamoDB (moto), per window, with a retry-after."""

from __future__ import annotations

from pierre_local.resources import LocalResources
from pierre_rag.ratelimit import Limit, RateLimiter

TABLE = LocalResources.physical_name("RateLimitsTable")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_hits_beyond_the_limit_are_refused_until_the_next_window(dynamodb):
    clock = Clock(1_000_000)
    limiter = RateLimiter(dynamodb, TABLE, clock)
    limit = Limit("ip", max_hits=3, window_s=60)

    verdicts = [limiter.hit(limit, "203.0.113.10") for _ in range(4)]

    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert 1 <= verdicts[-1].retry_after_s <= 60
    clock.now += 60
    assert limiter.hit(limit, "203.0.113.10").allowed


def test_keys_and_scopes_are_independent(dynamodb):
    limiter = RateLimiter(dynamodb, TABLE, Clock(2_000_000))
    per_ip = Limit("ip", 1, 60)
    per_conversation = Limit("conversation", 1, 60)

    assert limiter.hit(per_ip, "a").allowed
    assert limiter.hit(per_ip, "b").allowed  # another key of the same scope: its own counter
    assert limiter.hit(per_conversation, "a").allowed  # the same key in another scope, too
    refused = limiter.hit(per_conversation, "a")
    assert not refused.allowed and refused.limit is per_conversation


def test_counters_expire(dynamodb):
    RateLimiter(dynamodb, TABLE, Clock(3_000_000)).hit(Limit("ip", 5, 60), "x")

    item = dynamodb.scan(TableName=TABLE)["Items"][0]
    assert int(item["expires_at"]["N"]) > 3_000_000
