"""A validated answer served by the deployed functions: the chat handler (web) and the SMS
worker answer a question close enough to a validated one with it, and its signature."""

from __future__ import annotations

import json
from typing import Any

import sms_webhook_handler
import sms_worker_handler
from pierre_rag.review.validated import ValidatedAnswer, ValidatedAnswerStore
from tests.fakes.cm_server import FakeCm
from tests.functional.test_chat_api import _message, _sse
from tests.unit.sms.support import (
    CONVERSATIONS_TABLE,
    cm_body,
    queued_bodies,
    setup_aws,
    sqs_event,
    webhook_event,
)

LANDLORD = "exemple-hlm.fr"
SIGNATURE = "Réponse validée par Exemple HLM"
SOURCE = {
    "number": 1,
    "file": "exemple-hlm.fr/public/chauffage.md",
    "title": "Chauffage",
    "heading": "Panne de chaudière",
    "breadcrumb": "Chauffage > Panne de chaudière",
}


def _validate(dynamodb: Any, question: str, answer: str, landlord: str = LANDLORD) -> None:
    ValidatedAnswerStore(dynamodb, CONVERSATIONS_TABLE).add(
        ValidatedAnswer(
            answer_id="a1",
            landlord=landlord,
            question=question,
            answer=answer,
            validated_by=f"staff@{landlord}",
            validated_ms=1,
            sources=[SOURCE],
        )
    )


def test_the_chat_serves_a_validated_answer_with_its_signature_and_sources(chat, runtime):
    # Given staff validated an answer to the question as another tenant wrote it
    _validate(runtime, "bjr ma chaudière marche plus, qui j'appelle ?", "Appelez l'agence.")

    # when a tenant asks it again in the chat
    response = chat(_message("bjr ma chaudiere marche plus, qui j'appelle ?"))

    # then the answer is the validated one, signed, with its sources, counted as answered
    events = _sse(response["body"])
    text = "".join(data["text"] for kind, data in events if kind == "delta")
    assert text == f"Appelez l'agence.\n\n*{SIGNATURE}*"
    sources = next(data["sources"] for kind, data in events if kind == "sources")
    assert [source["heading"] for source in sources] == ["Panne de chaudière"]
    assert events[-1][1]["outcome"] == "answered" and events[-1][1]["mode"] == "validated"


def test_the_chat_never_serves_another_landlords_validated_answer(chat, runtime):
    _validate(runtime, "bjr ma chaudière marche plus, qui j'appelle ?", "Ailleurs.", "autre.fr")

    events = _sse(chat(_message("bjr ma chaudiere marche plus, qui j'appelle ?"))["body"])

    assert events[-1][1]["mode"] != "validated"
    assert "Ailleurs." not in "".join(d.get("text", "") for k, d in events if k == "delta")


def test_the_sms_worker_sends_the_validated_answer_in_plain_text(
    dynamodb, datastore, monkeypatch, lambda_context
):
    # Given the SMS question validated with its answer
    monkeypatch.setenv("PIERRE_DATASTORE", str(datastore))
    body = cm_body()
    question = body["message"]["text"]
    _validate(dynamodb, question, "Par SMS : **30 jours** de préavis.")
    with FakeCm(token="cm-token") as cm:
        sqs = setup_aws(monkeypatch, cm_url=cm.url)
        sms_webhook_handler.handler(webhook_event(body), lambda_context)
        queued = queued_bodies(
            sqs, sqs.get_queue_url(QueueName="pierre-local-SmsQueue")["QueueUrl"]
        )

        # when the worker answers it
        response = sms_worker_handler.handler(sqs_event(*queued), lambda_context)

    # then the SMS is the validated answer without Markdown, signed; its turn keeps the sources
    assert response["batchItemFailures"] == []
    sent = "".join(part.content for part in cm.sent)
    assert sent == f"Par SMS : 30 jours de préavis.\n\n{SIGNATURE}"
    stored = [
        [source["file"] for source in json.loads(item["sources"]["S"])]
        for item in dynamodb.scan(TableName=CONVERSATIONS_TABLE)["Items"]
        if item.get("role", {}).get("S") == "assistant"
    ]
    assert stored == [[SOURCE["file"]]]
