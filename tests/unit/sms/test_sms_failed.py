"""The admin's view of the SMS dead-letter queue: this landlord's only, no phone number."""

from __future__ import annotations

import json
from typing import Any

import boto3

from pierre_local.resources import LocalResources
from pierre_rag.sms.failed import delete_failed, peek_failed, requeue_failed
from pierre_rag.sms.inbound import QueuedSms
from pierre_rag.sms.store import SmsStateStore


def _queued(message_id: str, landlord: str, at: int) -> str:
    return QueuedSms(
        kind="question",
        message_id=message_id,
        landlord=landlord,
        sender="+33612345678",
        recipient="+33199000001",
        text="Mon chauffage est en panne",
        received_ms=at,
    ).model_dump_json()


def test_failed_messages_of_the_landlord_are_listed_with_their_reason(dynamodb):
    sqs = boto3.client("sqs", region_name="eu-west-3")
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    for body in (
        _queued("m1", "pierre-habitat.fr", 1_000),
        _queued("m2", "pierre-habitat.fr", 2_000),
        _queued("x1", "autre-hlm.fr", 3_000),
        json.dumps({"garbage": True}),
    ):
        sqs.send_message(QueueUrl=dlq, MessageBody=body)
    state = SmsStateStore(
        dynamodb,
        LocalResources.physical_name("IdempotencyTable"),
        LocalResources.physical_name("ConversationsTable"),
    )
    state.assign("m2", "conv-1")
    state.claim("m2", lease_s=60)
    state.release("m2", "CM answered 503 three times")

    failed = peek_failed(sqs, dlq, "pierre-habitat.fr", state)

    assert [f.message_id for f in failed] == ["m2", "m1"]
    assert failed[0].reason == "CM answered 503 three times"
    assert failed[1].reason is None
    assert failed[0].sender_hint == "•• 78"
    assert all("612345678" not in repr(f) for f in failed)
    # peeking leaves the messages in the queue
    assert len(peek_failed(sqs, dlq, "pierre-habitat.fr", state)) == 2


def _queues() -> tuple[Any, str, str]:
    sqs = boto3.client("sqs", region_name="eu-west-3")
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    queue = sqs.create_queue(QueueName="queue")["QueueUrl"]
    for body in (
        _queued("m1", "pierre-habitat.fr", 1_000),
        _queued("m2", "pierre-habitat.fr", 2_000),
        _queued("x1", "autre-hlm.fr", 3_000),
        json.dumps({"garbage": True}),
    ):
        sqs.send_message(QueueUrl=dlq, MessageBody=body)
    return sqs, dlq, queue


def _ids(sqs, url: str) -> list[str]:
    """Every message id in the queue, read without hiding anything."""
    bodies: dict[str, str] = {}
    for _ in range(5):
        for message in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0
        ).get("Messages", []):
            bodies[message["MessageId"]] = message["Body"]
    return sorted(json.loads(body).get("message_id", "?") for body in bodies.values())


def test_a_requeued_message_goes_back_to_the_worker_queue_and_leaves_the_dlq(dynamodb):
    # Given the dead-letter queue of two landlords
    sqs, dlq, queue = _queues()

    # When an administrator of pierre-habitat.fr re-drives m1
    moved = requeue_failed(sqs, dlq, queue, "pierre-habitat.fr", "m1")

    # Then m1 is in the worker's queue, unchanged, and every other message is visible in the DLQ
    assert moved
    [message] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert message["Body"] == _queued("m1", "pierre-habitat.fr", 1_000)
    assert _ids(sqs, dlq) == ["?", "m2", "x1"]


def test_another_landlords_message_cannot_be_requeued_or_deleted(dynamodb):
    sqs, dlq, queue = _queues()

    assert not requeue_failed(sqs, dlq, queue, "pierre-habitat.fr", "x1")
    assert not delete_failed(sqs, dlq, "pierre-habitat.fr", "x1")

    assert _ids(sqs, dlq) == ["?", "m1", "m2", "x1"]
    assert sqs.receive_message(QueueUrl=queue).get("Messages", []) == []


def test_a_deleted_message_is_gone_and_a_second_delete_says_so(dynamodb):
    sqs, dlq, _ = _queues()

    assert delete_failed(sqs, dlq, "pierre-habitat.fr", "m2")
    assert not delete_failed(sqs, dlq, "pierre-habitat.fr", "m2")

    assert _ids(sqs, dlq) == ["?", "m1", "x1"]
