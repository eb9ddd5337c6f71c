"""The admin's view of the SMS dead-letter queue: this landlord's only, no phone number."""

from __future__ import annotations

import json

import boto3

from pierre_local.resources import LocalResources
from pierre_rag.sms.failed import peek_failed
from pierre_rag.sms.inbound import QueuedSms
from pierre_rag.sms.store import SmsStateStore


def _queued(message_id: str, tenant: str, at: int) -> str:
    return QueuedSms(
        kind="question",
        message_id=message_id,
        tenant=tenant,
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
