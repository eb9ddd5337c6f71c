"""Fixed-window rate limits on DynamoDB counters (RateLimitsTable, expired by TTL).

Counters are incremented with ``ADD hits :1`` on condition that they are under the limit, so
concurrent Lambda containers share a limit without a read-modify-write race. The chat puts
these updates in the same transaction as the user turn it stores (:meth:`RateLimiter.guard`);
a shared counter (one IP behind a NAT) makes concurrent transactions conflict, and a
conflicted transaction is run again (:mod:`pierre_rag.transactions`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pierre_rag.storage.items import to_item, value_of

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient


@dataclass(frozen=True)
class Limit:
    scope: str  # e.g. "ip", "conversation"
    max_hits: int
    window_s: int

    def counter_key(self, key: str, now: int) -> str:
        """The counter of ``key`` for the fixed window holding ``now``."""
        return f"{self.scope}#{key}#{now // self.window_s}"

    def window_end(self, now: int) -> int:
        return (now // self.window_s + 1) * self.window_s


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: Limit
    hits: int
    retry_after_s: int


class RateLimiter:
    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.table = table
        self.clock = clock

    def hit(self, limit: Limit, key: str) -> Verdict:
        now = int(self.clock())
        window_end = limit.window_end(now)
        response = self.client.update_item(
            TableName=self.table,
            Key=to_item({"pk": limit.counter_key(key, now)}),
            UpdateExpression="ADD hits :one SET expires_at = :exp",
            ExpressionAttributeValues=to_item({":one": 1, ":exp": window_end + 60}),
            ReturnValues="UPDATED_NEW",
        )
        hits = int(value_of(response["Attributes"]["hits"]))
        return Verdict(hits <= limit.max_hits, limit, hits, max(1, window_end - now))

    def guard(self, checks: Sequence[tuple[Limit, str]]) -> RateLimitGuard:
        """The counter increments for ``checks``, to run inside another write's transaction
        (the chat's user-turn write): one round trip for the limits and the write, and a
        refused request neither stores anything nor consumes the other limits."""
        now = int(self.clock())
        items = []
        for limit, key in checks:
            items.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": to_item({"pk": limit.counter_key(key, now)}),
                        "UpdateExpression": "ADD hits :one SET expires_at = :exp",
                        "ConditionExpression": "attribute_not_exists(hits) OR hits < :max",
                        "ExpressionAttributeValues": to_item(
                            {":one": 1, ":max": limit.max_hits, ":exp": limit.window_end(now) + 60}
                        ),
                    }
                }
            )
        return RateLimitGuard(tuple(checks), tuple(items), now)


@dataclass(frozen=True)
class RateLimitGuard:
    """Conditional counter updates that ride in someone else's ``TransactWriteItems``."""

    checks: tuple[tuple[Limit, str], ...]
    items: tuple[dict[str, Any], ...]
    now: int

    def refusal(self, reasons: Sequence[Mapping[str, Any]]) -> Verdict | None:
        """The exceeded limit, from the cancellation reasons of this guard's own items."""
        for (limit, _), reason in zip(self.checks, reasons, strict=False):
            if reason.get("Code") == "ConditionalCheckFailed":
                retry_after = max(1, limit.window_end(self.now) - self.now)
                return Verdict(False, limit, limit.max_hits, retry_after)
        return None
