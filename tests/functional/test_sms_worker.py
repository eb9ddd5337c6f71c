"""The SMS worker must never acknowledge a message it did not answer."""

from __future__ import annotations

import copy

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

import sms_worker_handler
from tests.helpers import load_event


def test_an_unanswered_batch_fails_whole_so_sqs_redelivers_it(lambda_context):
    # Given a recorded SQS event (the answering step does not exist yet)
    event = load_event("sqs_sms_inbound")

    # When / then: the invocation errors, so the event source mapping retries the batch
    with pytest.raises(BatchProcessingError):
        sms_worker_handler.handler(event, lambda_context)


def test_malformed_body_is_reported_failed_never_dropped(lambda_context):
    event = load_event("sqs_sms_inbound")
    bad = copy.deepcopy(event["Records"][0])
    bad["messageId"] = "bad-message"
    bad["body"] = "[1, 2]"
    event["Records"].append(bad)

    with pytest.raises(BatchProcessingError) as raised:
        sms_worker_handler.handler(event, lambda_context)

    assert "ValueError" in str(raised.value)
