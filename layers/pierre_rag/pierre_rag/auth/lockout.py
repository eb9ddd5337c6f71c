"""Login lock-out with exponential backoff, per account and per client IP.

Counters live in the RateLimitsTable (``pk = login-fail#account#<email>`` or
``login-fail#ip#<ip>``): failures, time of the last one, and ``expires_at`` (TTL) one window
after it, so a quiet account starts afresh. DynamoDB deletes expired items lazily, hence the
expiry is also checked on read. Below the threshold nothing is delayed; from it on, each
failure doubles the wait (30 s, 1 min, 2 min… capped at 15 min).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from pierre_rag.storage.items import from_item, to_item

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient


@dataclass(frozen=True)
class LockoutPolicy:
    account_threshold: int = 5
    ip_threshold: int = 20
    base_delay_s: int = 30
    max_delay_s: int = 900
    window_s: int = 3600

    def delay_s(self, failures: int, threshold: int) -> int:
        if failures < threshold:
            return 0
        return int(min(self.base_delay_s * 2 ** (failures - threshold), self.max_delay_s))


class LoginThrottle:
    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        policy: LockoutPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.table = table
        self.policy = policy or LockoutPolicy()
        self.clock = clock

    @staticmethod
    def _account_key(email: str) -> str:
        return f"login-fail#account#{email.strip().lower()}"

    @staticmethod
    def _ip_key(ip: str) -> str:
        return f"login-fail#ip#{ip}"

    def _remaining(self, key: str, threshold: int) -> int:
        item = self.client.get_item(
            TableName=self.table, Key=to_item({"pk": key}), ConsistentRead=True
        ).get("Item")
        now = self.clock()
        data = from_item(item) if item else {}
        if not data or int(data["expires_at"]) <= now:
            return 0
        failures = int(data["failures"])
        last = float(data["last_s"])
        return max(0, int(last + self.policy.delay_s(failures, threshold) - now + 0.999))

    def retry_after_s(self, email: str, ip: str) -> int:
        """Seconds before another attempt is allowed (0 = now), the longer of both counters."""
        return max(
            self._remaining(self._account_key(email), self.policy.account_threshold),
            self._remaining(self._ip_key(ip), self.policy.ip_threshold),
        )

    def record_failure(self, email: str, ip: str) -> None:
        now = self.clock()
        for key in (self._account_key(email), self._ip_key(ip)):
            self._bump(key, now)

    def _bump(self, key: str, now: float) -> None:
        # last_s keeps milliseconds: the stored number is the one it always was.
        values = to_item(
            {":one": 1, ":now": Decimal(f"{now:.3f}"), ":exp": int(now) + self.policy.window_s}
        )
        try:
            # An expired counter (not yet removed by TTL) restarts at one.
            self.client.update_item(
                TableName=self.table,
                Key=to_item({"pk": key}),
                UpdateExpression="SET failures = :one, last_s = :now, expires_at = :exp",
                ConditionExpression="attribute_not_exists(pk) OR expires_at <= :now",
                ExpressionAttributeValues=values,
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            self.client.update_item(
                TableName=self.table,
                Key=to_item({"pk": key}),
                UpdateExpression="SET last_s = :now, expires_at = :exp ADD failures :one",
                ExpressionAttributeValues=values,
            )

    def record_success(self, email: str) -> None:
        """A correct password clears the account's counter (not the IP's)."""
        self.client.delete_item(TableName=self.table, Key=to_item({"pk": self._account_key(email)}))
