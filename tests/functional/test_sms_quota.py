"""The hourly answer limit of a landlord's SMS config, end to end: recorded webhook and SQS
events, the real runtime wiring (landlord file → quota), moto and the fake CM server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import sms_webhook_handler
import sms_wiring
import sms_worker_handler
from pierre_rag.ratelimit import RateLimiter
from pierre_rag.sms.quota import LIMIT_NOTICE
from tests.helpers import FROZEN_FUTURE_S
from tests.unit.sms.support import (
    cm_body,
    landlords_with_sms,
    queued_bodies,
    setup_aws,
    sqs_event,
    webhook_event,
)

FIXED_NOW = FROZEN_FUTURE_S + 600  # inside one hour window, whatever the wall clock says


@pytest.fixture
def sqs(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, datastore: Path, cm: Any, tmp_path: Path):
    # The fixture landlord, with a limit of one answer per number and hour in its landlord file.
    landlords = landlords_with_sms(tmp_path, answers_per_hour=1)
    monkeypatch.setenv("PIERRE_DATASTORE", str(datastore))
    client = setup_aws(monkeypatch, cm_url=cm.url)
    monkeypatch.setenv("PIERRE_LANDLORDS_DIR", str(landlords))
    return client


def test_a_number_past_its_landlords_hourly_limit_gets_one_notice(sqs, cm, lambda_context):
    # Given three questions from one number, posted by CM to the webhook
    bodies = [cm_body(reference=f"ref-{n}", timeUtc=f"2026-11-25T14:0{n}:00") for n in range(3)]
    for body in bodies:
        assert sms_webhook_handler.handler(webhook_event(body), lambda_context)["statusCode"] == 200
    queued = queued_bodies(sqs, sqs.get_queue_url(QueueName="pierre-local-SmsQueue")["QueueUrl"])

    # when the worker handles them (its quota reads a fixed clock)
    quota = sms_wiring.worker().quota
    assert quota is not None
    limiter = quota.limiter
    assert isinstance(limiter, RateLimiter)  # the clock is the DynamoDB one's
    limiter.clock = lambda: FIXED_NOW
    response = sms_worker_handler.handler(sqs_event(*queued), lambda_context)

    # then the first is answered, the second gets the notice, the third nothing
    assert response["batchItemFailures"] == []
    assert len(cm.requests) == 2  # one CM request per reply (an answer may have parts)
    assert cm.sent[-1].content == LIMIT_NOTICE
    assert all(sent.content != LIMIT_NOTICE for sent in cm.sent[:-1])
