"""The SMS worker handler with recorded SQS events: real pipeline (extractive, fixture
datastore), moto, and the fake CM server."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

import sms_webhook_handler
import sms_wiring
import sms_worker_handler
from pierre_rag.metrics import MemoryRecorder, Metric, OperationsMetrics
from tests.fakes.cm_server import Accept, Fail
from tests.helpers import load_event
from tests.unit.sms.support import (
    CONVERSATIONS_TABLE,
    PHONE_FORMS,
    CapturedLogs,
    cm_body,
    queued_bodies,
    setup_aws,
    sqs_event,
    webhook_event,
)


@pytest.fixture
def sqs(dynamodb, monkeypatch, datastore, cm):
    monkeypatch.setenv("PIERRE_DATASTORE", str(datastore))
    monkeypatch.setenv("CM_ATTEMPTS", "2")
    return setup_aws(monkeypatch, cm_url=cm.url)


def _inbound(sqs, lambda_context, *bodies) -> list[str]:
    """CM posts these webhook bodies; returns what the webhook queued."""
    for body in bodies:
        response = sms_webhook_handler.handler(webhook_event(body), lambda_context)
        assert response["statusCode"] == 200
    return queued_bodies(sqs, sqs.get_queue_url(QueueName="pierre-local-SmsQueue")["QueueUrl"])


def _failed(response) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def test_a_duplicate_webhook_yields_exactly_one_reply(sqs, cm, lambda_context):
    queued = _inbound(sqs, lambda_context, cm_body(), cm_body())

    first = sms_worker_handler.handler(sqs_event(*queued), lambda_context)
    redelivered = sms_worker_handler.handler(sqs_event(*queued, receive_count=2), lambda_context)

    assert _failed(first) == _failed(redelivered) == []
    assert len(cm.requests) == 1
    assert cm.sent[0].recipient == "0033612345678" and cm.sent[0].sender == "0033199000042"
    assert "préavis" in " ".join(s.content for s in cm.sent).lower()


def test_a_cm_outage_then_recovery_delivers_exactly_once(sqs, cm, lambda_context):
    queued = _inbound(sqs, lambda_context, cm_body())
    cm.script(Fail(503))

    with pytest.raises(BatchProcessingError):  # the whole batch failed: SQS redelivers it
        sms_worker_handler.handler(sqs_event(*queued), lambda_context)
    cm.script(Accept())
    after = sms_worker_handler.handler(sqs_event(*queued, receive_count=2), lambda_context)
    again = sms_worker_handler.handler(sqs_event(*queued, receive_count=3), lambda_context)

    assert _failed(after) == _failed(again) == []
    assert len(cm.requests) == 2 + 1  # two failed attempts during the outage, one accepted
    assert {s.reference.rsplit("-", 1)[0] for s in cm.sent} == {cm.sent[0].reference[:-2]}


def test_a_malformed_message_is_reported_failed_never_dropped(sqs, lambda_context):
    event = load_event("sqs_sms_question")
    bad = json.loads(event["Records"][0]["body"])
    bad["sender"] = "not-a-number"
    event["Records"][0]["body"] = json.dumps(bad)

    with CapturedLogs(sms_worker_handler.logger) as logs, pytest.raises(BatchProcessingError):
        sms_worker_handler.handler(event, lambda_context)

    assert "invalid SMS queue message: sender" in logs.text
    assert "not-a-number" not in logs.text


def test_conversations_and_logs_never_hold_the_number_in_clear(sqs, cm, lambda_context, dynamodb):
    with CapturedLogs(sms_worker_handler.logger) as logs:
        queued = _inbound(sqs, lambda_context, cm_body())
        sms_worker_handler.handler(sqs_event(*queued), lambda_context)

    assert "SMS answer sent" in logs.text
    stored = json.dumps(dynamodb.scan(TableName=CONVERSATIONS_TABLE)["Items"])
    assert "tel_" in stored  # the keyed hash, on the conversation
    for form in PHONE_FORMS:
        assert form not in logs.text
        assert form not in stored


def test_the_answer_is_stored_in_the_sms_conversation_of_the_window(
    sqs, cm, lambda_context, dynamodb
):
    later = cm_body(reference="second", timeUtc="2026-11-25T15:00:00")
    later["message"]["text"] = "Et pour un logement meublé ?"
    queued = _inbound(sqs, lambda_context, cm_body(), later)

    sms_worker_handler.handler(sqs_event(*queued), lambda_context)

    items = dynamodb.scan(TableName=CONVERSATIONS_TABLE)["Items"]
    metas = [i for i in items if i["sk"]["S"] == "META"]
    assert len(metas) == 1 and metas[0]["channel"]["S"] == "sms"
    assert sum(1 for i in items if i["sk"]["S"].startswith("TURN#")) == 4


def test_an_sms_conversation_that_changes_subject_is_answered_on_each_subject(
    sqs, cm, lambda_context
):
    # Given one phone writing, a minute apart: notice, a new subject, a follow-up on it, and
    # another new subject
    script = [
        ("je veux partir de mon logement meublé, combien de préavis ?", "un mois"),
        ("mon chien peut vivre dans l'appartement ?", "chien"),
        # the same section again: nothing new to quote (the article's title section holds
        # nothing else), so the reply says so with the contact
        ("et si c'est un chien d'attaque ?", "pas trouvé"),
        ("Il y a une odeur de gaz dans ma cuisine, que faire ?", "gaz"),
    ]

    # When the worker answers each message before the next one arrives
    replies = []
    for minute, (text, _) in enumerate(script):
        body = cm_body(reference=f"topic-{minute}", timeUtc=f"2026-11-25T14:0{minute}:00")
        body["message"]["text"] = text
        sent_before = len(cm.sent)
        sms_worker_handler.handler(sqs_event(*_inbound(sqs, lambda_context, body)), lambda_context)
        replies.append(" ".join(s.content for s in cm.sent[sent_before:]))

    # Then each reply speaks of its own message's subject, not the previous one's
    for reply, (_, subject) in zip(replies, script, strict=True):
        assert subject is None or subject in reply.lower()
    assert "préavis" not in replies[1].lower()
    assert "chien" not in replies[3].lower()
    # and no reply is the one before it again
    assert all(later != earlier for earlier, later in pairwise(replies))


def test_an_emergency_sms_after_an_unrelated_one_starts_with_the_emergency_block(
    sqs, cm, lambda_context
):
    # Given a phone that asked about its notice, then smells gas a minute later
    script = ["combien de préavis pour partir de mon logement ?", "sa sent le gaz ds l'escalier"]
    for minute, text in enumerate(script):
        body = cm_body(reference=f"gas-{minute}", timeUtc=f"2026-11-25T14:0{minute}:00")
        body["message"]["text"] = text
        sent_before = len(cm.sent)

        # When the worker answers each message
        sms_worker_handler.handler(sqs_event(*_inbound(sqs, lambda_context, body)), lambda_context)

    # Then the gas reply's first part opens with the block, and its numbers are all sent
    parts = [s.content for s in cm.sent[sent_before:]]
    assert parts[0].removeprefix("(1/" + str(len(parts)) + ") ").startswith("URGENCE\n")
    reply = " ".join(parts)
    for number in ("0800473333", "18", "112", "0199009999"):
        assert number in reply


def test_every_line_of_an_sms_turn_has_its_message_id_as_correlation_id(sqs, cm, lambda_context):
    # Given a queued question
    queued = _inbound(sqs, lambda_context, cm_body())
    message_id = json.loads(queued[0])["message_id"]

    # When the worker answers it
    with CapturedLogs(sms_worker_handler.logger) as logs:
        sms_worker_handler.handler(sqs_event(*queued), lambda_context)

    # Then every line of the turn carries the SMS's id, and none the number or the question
    lines = logs.lines()
    assert "SMS answer sent" in {line["message"] for line in lines}
    assert {line.get("correlation_id") for line in lines} == {message_id}
    for form in PHONE_FORMS:
        assert form not in logs.text
    assert "préavis" not in logs.text.lower()


@pytest.mark.parametrize(("receive_count", "moved"), [(4, 0), (5, 1)])
def test_an_sms_failing_its_last_delivery_counts_a_dead_letter_move(
    sqs, cm, lambda_context, receive_count, moved
):
    # Given CM down and the handler's metrics in memory (SQS moves after 5 deliveries)
    recorder = MemoryRecorder()
    queued = _inbound(sqs, lambda_context, cm_body())
    landlord = json.loads(queued[0])["landlord"]
    cm.script(Fail(503))
    metrics = OperationsMetrics(recorder, lambda: {landlord}, usd_to_eur=1)

    # When the worker fails the message at this delivery
    with (
        sms_wiring.operations.override(lambda: metrics),
        pytest.raises(BatchProcessingError),
    ):
        sms_worker_handler.handler(sqs_event(*queued, receive_count=receive_count), lambda_context)

    # Then only the last delivery counts a move to the dead-letter queue
    assert recorder.total(Metric.SMS_DEAD_LETTER_MOVES, landlord) == moved
