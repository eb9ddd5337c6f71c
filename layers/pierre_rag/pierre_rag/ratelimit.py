"""Fixed-window rate limits on DynamoDB counters (RateLimitsTable, expired by TTL).

One UpdateItem per check: ``ADD hits :1`` returns the new count atomically, so concurrent
Lambda containers share the limit without a read-modify-write race.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limit:
    scope: str  # e.g. "ip", "conversation"
    max_hits: int
    window_s: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: Limit
    hits: int
    retry_after_s: int


class RateLimiter:
    def __init__(self, client: Any, table: str, clock: Any = time.time) -> None:
        self.client = client
        self.table = table
        self.clock = clock

    def hit(self, limit: Limit, key: str) -> Verdict:
        now = int(self.clock())
        window = now // limit.window_s
        window_end = (window + 1) * limit.window_s
        response = self.client.update_item(
            TableName=self.table,
            Key={"pk": {"S": f"{limit.scope}#{key}#{window}"}},
            UpdateExpression="ADD hits :one SET expires_at = :exp",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":exp": {"N": str(window_end + 60)},
            },
            ReturnValues="UPDATED_NEW",
        )
        hits = int(response["Attributes"]["hits"]["N"])
        return Verdict(hits <= limit.max_hits, limit, hits, max(1, window_end - now))

    def check_all(self, checks: list[tuple[Limit, str]]) -> Verdict | None:
        """The first limit exceeded, or None when every one allows the request."""
        for limit, key in checks:
            verdict = self.hit(limit, key)
            if not verdict.allowed:
                return verdict
        return None
