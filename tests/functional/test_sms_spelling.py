"""How an SMS answer is spelled, end to end: the landlord file's ``sms.fold_accents`` read by
the runtime wiring, the recorded webhook and SQS events, the real pipeline (extractive, fixture
knowledge), DynamoDB Local and the fake CM server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import sms_webhook_handler
import sms_worker_handler
from pierre_rag.sms.encoding import is_gsm7
from tests.unit.sms.support import (
    cm_body,
    landlords_with_sms,
    queued_bodies,
    setup_aws,
    sqs_event,
    webhook_event,
)

# A question whose answer (the first sentence of the fixture's pets section) has letters GSM-7
# lacks.
QUESTION = "mon chien peut vivre dans l'appartement ?"
MARKER = re.compile(r"^\(\d/\d\) ")


def _landlords(tmp_path: Path, fold_accents: bool | None) -> Path:
    """The fixture landlords, the SMS landlord's file with ``fold_accents`` set (None: unset)."""
    if fold_accents is None:
        return landlords_with_sms(tmp_path)
    return landlords_with_sms(tmp_path, fold_accents=fold_accents)


def _answer_sms(
    fold_accents: bool | None,
    *,
    dynamodb: Any,
    monkeypatch: pytest.MonkeyPatch,
    datastore: Path,
    cm: Any,
    tmp_path: Path,
    lambda_context: Any,
) -> str:
    """CM posts the question; the worker answers it; the text the tenant reads (no markers)."""
    monkeypatch.setenv("PIERRE_DATASTORE", str(datastore))
    sqs = setup_aws(monkeypatch, cm_url=cm.url)
    monkeypatch.setenv("PIERRE_LANDLORDS_DIR", str(_landlords(tmp_path, fold_accents)))
    body = cm_body()
    body["message"]["text"] = QUESTION
    assert sms_webhook_handler.handler(webhook_event(body), lambda_context)["statusCode"] == 200
    queued = queued_bodies(sqs, sqs.get_queue_url(QueueName="pierre-local-SmsQueue")["QueueUrl"])
    response = sms_worker_handler.handler(sqs_event(*queued), lambda_context)
    assert response["batchItemFailures"] == []
    return " ".join(MARKER.sub("", sent.content) for sent in cm.sent)


@pytest.mark.parametrize("fold_accents", [None, False])
def test_an_sms_answer_is_spelled_as_written_unless_the_landlord_folds_accents(
    fold_accents, dynamodb, monkeypatch, datastore, cm, tmp_path, lambda_context
):
    # Given a landlord whose file leaves fold_accents unset or false
    # When a tenant's question gets an answer with letters GSM-7 lacks
    text = _answer_sms(
        fold_accents,
        dynamodb=dynamodb,
        monkeypatch=monkeypatch,
        datastore=datastore,
        cm=cm,
        tmp_path=tmp_path,
        lambda_context=lambda_context,
    )

    # Then the tenant reads those letters (it went as UCS-2)
    assert not is_gsm7(text)
    assert re.search(r"[âêîôûçœ]", text)


def test_a_landlord_folding_accents_sends_gsm7(
    dynamodb, monkeypatch, datastore, cm, tmp_path, lambda_context
):
    # Given a landlord whose file sets fold_accents: true
    # When the same question is answered
    text = _answer_sms(
        True,
        dynamodb=dynamodb,
        monkeypatch=monkeypatch,
        datastore=datastore,
        cm=cm,
        tmp_path=tmp_path,
        lambda_context=lambda_context,
    )

    # Then every part is GSM-7: the accents it lacks were folded
    assert is_gsm7(text)
    assert not re.search(r"[âêîôûçœ]", text)
