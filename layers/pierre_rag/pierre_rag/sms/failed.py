"""SMS that ended in the dead-letter queue, for the admin: what was asked, when, and why it
failed — without the sender's number (only its last two digits)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from pierre_rag.sms.inbound import QueuedSms
from pierre_rag.sms.store import SmsStateStore

PEEK_ROUNDS = 5  # ReceiveMessage returns at most 10 messages, a sample of the queue


@dataclass(frozen=True)
class FailedSms:
    message_id: str
    received_ms: int
    sender_hint: str  # "•• 42": enough to tell two numbers apart, not to reach anybody
    text: str
    deliveries: int
    reason: str | None


def _hint(number: str) -> str:
    return f"•• {number[-2:]}"


def peek_failed(
    sqs: Any, dlq_url: str, tenant: str, state: SmsStateStore | None = None, limit: int = 50
) -> list[FailedSms]:
    """The tenant's messages in the dead-letter queue, newest first, left in the queue.

    Messages are received with a zero visibility timeout, so reading the page never hides
    them from another reader or from a redrive.
    """
    seen: dict[str, FailedSms] = {}
    for _ in range(PEEK_ROUNDS):
        response = sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=0,
            WaitTimeSeconds=0,
            AttributeNames=["ApproximateReceiveCount"],
        )
        messages = response.get("Messages", [])
        if not messages:
            break
        for message in messages:
            try:
                queued = QueuedSms.model_validate(json.loads(message["Body"]))
            except (json.JSONDecodeError, ValidationError):
                continue  # not ours to show: no tenant can be trusted from it
            if queued.tenant != tenant or queued.message_id in seen:
                continue
            delivery = state.delivery(queued.message_id) if state is not None else None
            seen[queued.message_id] = FailedSms(
                message_id=queued.message_id,
                received_ms=queued.received_ms,
                sender_hint=_hint(queued.sender),
                text=queued.text,
                deliveries=int(message.get("Attributes", {}).get("ApproximateReceiveCount", 0)),
                reason=delivery.error if delivery is not None else None,
            )
        if len(seen) >= limit:
            break
    return sorted(seen.values(), key=lambda item: item.received_ms, reverse=True)[:limit]
