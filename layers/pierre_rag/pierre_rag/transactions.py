"""DynamoDB transactions retried when another request's transaction held one of their items.

DynamoDB cancels a ``TransactWriteItems`` whose item is being written by another transaction
(reason code ``TransactionConflict``). The chat's user-turn transaction carries the per-IP
counter, which every visitor behind one address (a landlord's office, a carrier's NAT)
shares: concurrent turns conflict, and without a retry the visitor got a 500. A cancelled
transaction wrote nothing, so running it again is safe. Retries are bounded, with "full
jitter" backoff so that the requests that collided do not collide again in step.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

CONFLICT = "TransactionConflict"
CONDITION_FAILED = "ConditionalCheckFailed"


@dataclass(frozen=True)
class ConflictRetry:
    """How often and how long to wait before running a conflicted transaction again."""

    attempts: int = 6
    base_delay_s: float = 0.02
    max_delay_s: float = 0.4
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    jitter: Callable[[], float] = field(default=random.random, compare=False)  # in [0, 1)

    def delay(self, retry: int) -> float:
        """The wait before retry number ``retry`` (0-based): up to base·2^retry, capped."""
        cap: float = min(self.max_delay_s, self.base_delay_s * 2**retry)
        return self.jitter() * cap


def cancelled_by_conflict(reasons: Sequence[Mapping[str, Any]]) -> bool:
    """A cancellation that only a conflict caused (no condition refused the write)."""
    codes = {reason.get("Code") for reason in reasons}
    return CONFLICT in codes and CONDITION_FAILED not in codes


def transact_write(
    client: DynamoDBClient, items: list[dict[str, Any]], retry: ConflictRetry
) -> None:
    """``TransactWriteItems`` run again while it is cancelled by conflicts only; any other
    cancellation, or a conflict on the last attempt, is raised as it came."""
    for attempt in range(retry.attempts):
        try:
            # Items come from several stores (a guard's counters, a turn): built as plain dicts.
            client.transact_write_items(TransactItems=cast("list[TransactWriteItemTypeDef]", items))
            return
        except client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons", [])
            if attempt + 1 >= retry.attempts or not cancelled_by_conflict(reasons):
                raise
            retry.sleep(retry.delay(attempt))
