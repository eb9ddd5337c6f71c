"""The SMS webhook handler called with recorded HTTP API events, against moto."""

from __future__ import annotations

import json

import pytest

import sms_webhook_handler
import sms_wiring
from pierre_rag.limits import MAX_MESSAGE_CHARS
from pierre_rag.settings import SecretReader
from tests.unit.sms.support import (
    CONVERSATIONS_TABLE,
    PHONE_FORMS,
    CapturedLogs,
    cm_body,
    queued_bodies,
    setup_aws,
    webhook_event,
)


@pytest.fixture
def sqs(dynamodb, monkeypatch):
    return setup_aws(monkeypatch)


@pytest.fixture
def queue_url(sqs):
    return sqs.get_queue_url(QueueName="pierre-local-SmsQueue")["QueueUrl"]


def _call(event, lambda_context):
    response = sms_webhook_handler.handler(event, lambda_context)
    return response["statusCode"], json.loads(response["body"] or "{}")


def test_a_question_is_queued_and_acknowledged(sqs, queue_url, lambda_context):
    status, body = _call(webhook_event(cm_body()), lambda_context)

    assert (status, body) == (200, {"status": "queued"})
    [queued] = [json.loads(b) for b in queued_bodies(sqs, queue_url)]
    assert queued["kind"] == "question"
    assert queued["landlord"] == "exemple-hlm.fr"
    assert queued["sender"] == "+33612345678" and queued["recipient"] == "+33199000042"
    assert queued["text"].startswith("Bonjour, je veux quitter")


def test_a_duplicate_webhook_is_queued_once(sqs, queue_url, lambda_context):
    first = _call(webhook_event(cm_body()), lambda_context)
    second = _call(webhook_event(cm_body()), lambda_context)

    assert first == second == (200, {"status": "queued"})
    assert len(queued_bodies(sqs, queue_url)) == 1


def test_a_wrong_secret_looks_like_an_unknown_route(sqs, queue_url, lambda_context):
    status, body = _call(webhook_event(cm_body(), secret="guess"), lambda_context)

    assert status == 404 and body["message"] == "Not found"
    assert queued_bodies(sqs, queue_url) == []


def test_bad_json_is_a_400_with_a_clear_message(sqs, queue_url, lambda_context):
    status, body = _call(webhook_event('{"from": '), lambda_context)

    assert status == 400 and "not valid JSON" in body["message"]
    assert queued_bodies(sqs, queue_url) == []


def test_an_invalid_payload_names_the_fields_but_never_echoes_values(sqs, lambda_context):
    payload = cm_body()
    del payload["to"]
    payload["timeUtc"] = "call +33612345678"

    status, body = _call(webhook_event(payload), lambda_context)

    assert status == 400
    assert any(e.startswith("to:") for e in body["errors"])
    assert any(e.startswith("timeUtc:") for e in body["errors"])
    assert "612345678" not in json.dumps(body)


def test_an_unknown_landlord_number_is_acknowledged_and_never_answered(
    sqs, queue_url, lambda_context
):
    status, body = _call(webhook_event(cm_body("cm_inbound_unknown_number")), lambda_context)

    assert (status, body) == (200, {"status": "ignored"})
    assert queued_bodies(sqs, queue_url) == []


def test_stop_is_recorded_as_an_opt_out_and_not_queued(sqs, queue_url, dynamodb, lambda_context):
    status, body = _call(webhook_event(cm_body("cm_inbound_stop")), lambda_context)

    assert (status, body) == (200, {"status": "opted_out"})
    assert queued_bodies(sqs, queue_url) == []
    items = dynamodb.scan(TableName=CONVERSATIONS_TABLE)["Items"]
    assert [i["sk"]["S"] for i in items] == ["OPTOUT"]
    assert "612345678" not in json.dumps(items)


def test_a_media_only_message_is_queued_for_a_request_for_text(sqs, queue_url, lambda_context):
    status, _ = _call(webhook_event(cm_body("cm_inbound_media")), lambda_context)

    assert status == 200
    [queued] = [json.loads(b) for b in queued_bodies(sqs, queue_url)]
    assert queued["kind"] == "empty" and queued["text"] == ""


def test_an_oversized_message_is_clipped_and_flagged(sqs, queue_url, lambda_context):
    _call(webhook_event(cm_body(message__text="logement " * 300)), lambda_context)

    [queued] = [json.loads(b) for b in queued_bodies(sqs, queue_url)]
    assert queued["truncated"] is True and len(queued["text"]) <= MAX_MESSAGE_CHARS


def test_when_queuing_fails_nothing_is_kept_and_cm_retry_succeeds(
    sqs, queue_url, lambda_context, monkeypatch
):
    monkeypatch.setenv("SMS_QUEUE_URL", queue_url + "-missing")
    with pytest.raises(Exception, match=r"NonExistentQueue|does not exist"):
        _call(webhook_event(cm_body()), lambda_context)

    monkeypatch.setenv("SMS_QUEUE_URL", queue_url)
    with sms_wiring.webhook.override(lambda: sms_wiring.webhook_from_environment(SecretReader())):
        # a new container, configured with the queue that exists
        assert _call(webhook_event(cm_body()), lambda_context) == (200, {"status": "queued"})
    assert len(queued_bodies(sqs, queue_url)) == 1


def test_logs_never_contain_the_phone_number(sqs, lambda_context):
    with CapturedLogs(sms_webhook_handler.logger) as logs:
        for name in ("cm_inbound_question", "cm_inbound_stop", "cm_inbound_unknown_number"):
            _call(webhook_event(cm_body(name)), lambda_context)
        _call(webhook_event(cm_body(), secret="wrong"), lambda_context)

    assert "inbound SMS accepted" in logs.text
    assert "no landlord uses" in logs.text
    for form in PHONE_FORMS:
        assert form not in logs.text
