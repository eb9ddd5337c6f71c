"""SMS that ended in the dead-letter queue, for the admin: what was asked, when, and why it
failed — without the sender's number (only its last two digits)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError

from pierre_rag.sms.inbound import QueuedSms
from pierre_rag.storage.ports import SmsStateRepository

if TYPE_CHECKING:
    from types_boto3_sqs.client import SQSClient

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
    sqs: SQSClient,
    dlq_url: str,
    landlord: str,
    state: SmsStateRepository | None = None,
    limit: int = 50,
) -> list[FailedSms]:
    """The landlord's messages in the dead-letter queue, newest first, left in the queue.

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
                continue  # not ours to show: no landlord can be trusted from it
            if queued.landlord != landlord or queued.message_id in seen:
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


HOLD_S = 30  # how long a message being re-driven is hidden from other readers
TAKE_ROUNDS = 10  # up to 100 messages searched for the one to re-drive or delete


def requeue_failed(
    sqs: SQSClient, dlq_url: str, queue_url: str, landlord: str, message_id: str
) -> bool:
    """Send the landlord's failed message back to the SMS queue for the worker, then take it
    out of the dead-letter queue. False when it is not there (already handled, or another
    landlord's). Sent before it is deleted: a failure in between leaves a copy in the DLQ,
    never a lost message, and the worker's delivery record keeps the reply to one SMS."""
    found = _take(sqs, dlq_url, landlord, message_id)
    if found is None:
        return False
    body, receipt = found
    sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=receipt)
    return True


def delete_failed(sqs: SQSClient, dlq_url: str, landlord: str, message_id: str) -> bool:
    """Remove the landlord's failed message for good (an administrator's decision)."""
    found = _take(sqs, dlq_url, landlord, message_id)
    if found is None:
        return False
    sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=found[1])
    return True


def _take(sqs: SQSClient, dlq_url: str, landlord: str, message_id: str) -> tuple[str, str] | None:
    """``(body, receipt handle)`` of the landlord's message, held for :data:`HOLD_S`. Other
    messages received on the way are held too while the search goes on (so each round sees
    new ones), then made visible again at once."""
    passed: list[str] = []
    try:
        for _ in range(TAKE_ROUNDS):
            messages = sqs.receive_message(
                QueueUrl=dlq_url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=HOLD_S,
                WaitTimeSeconds=0,
            ).get("Messages", [])
            if not messages:
                return None
            found: tuple[str, str] | None = None
            for message in messages:
                if found is None and _is(message["Body"], landlord, message_id):
                    found = (message["Body"], message["ReceiptHandle"])
                else:
                    passed.append(message["ReceiptHandle"])
            if found is not None:
                return found
        return None
    finally:
        for receipt in passed:
            sqs.change_message_visibility(
                QueueUrl=dlq_url, ReceiptHandle=receipt, VisibilityTimeout=0
            )


def _is(body: str, landlord: str, message_id: str) -> bool:
    try:
        queued = QueuedSms.model_validate(json.loads(body))
    except (json.JSONDecodeError, ValidationError):
        return False
    return queued.landlord == landlord and queued.message_id == message_id
