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
        """The first limit exceeded, or None when every one allows the request.

        All counters are incremented in one transaction, each on condition that it is under
        its limit: one round trip whatever the number of limits, and a refused request does
        not consume the other limits.
        """
        if not checks:
            return None
        now = int(self.clock())
        items = []
        for limit, key in checks:
            window = now // limit.window_s
            items.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": {"pk": {"S": f"{limit.scope}#{key}#{window}"}},
                        "UpdateExpression": "ADD hits :one SET expires_at = :exp",
                        "ConditionExpression": "attribute_not_exists(hits) OR hits < :max",
                        "ExpressionAttributeValues": {
                            ":one": {"N": "1"},
                            ":max": {"N": str(limit.max_hits)},
                            ":exp": {"N": str((window + 1) * limit.window_s + 60)},
                        },
                    }
                }
            )
        try:
            self.client.transact_write_items(TransactItems=items)
        except self.client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons", [])
            for (limit, _), reason in zip(checks, reasons, strict=False):
                if reason.get("Code") == "ConditionalCheckFailed":
                    window_end = (now // limit.window_s + 1) * limit.window_s
                    return Verdict(False, limit, limit.max_hits, max(1, window_end - now))
            raise
        return None
