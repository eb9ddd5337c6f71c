"""The SMS channel through `pierre-local` (what `make dev` runs): HTTP webhook → SQS → worker
→ the fake CM server, with a 1 s visibility timeout and SmsMaxReceiveCount=2."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.cm_server import Accept, Fail, FakeCm
from tests.helpers import eventually
from tests.stack import RunningStack, running_stack
from tests.unit.sms.support import LANDLORDS_DIR, build_fixture_datastore, cm_body

MAX_RECEIVES = 2


@pytest.fixture(scope="module")
def cm() -> Iterator[FakeCm]:
    with FakeCm() as server:
        yield server


@pytest.fixture(scope="module")
def stack(tmp_path_factory, cm, dynamodb_local: str) -> Iterator[RunningStack]:
    datastore = build_fixture_datastore(tmp_path_factory.mktemp("ds") / "datastore.sqlite")
    with running_stack(
        tmp_path_factory.mktemp("state"),
        "--visibility-timeout",
        "1",
        "--parameter-overrides",
        f"SmsMaxReceiveCount={MAX_RECEIVES}",
        f"CmApiUrl={cm.url}",
        env={
            "PIERRE_DATASTORE": str(datastore),
            "PIERRE_LANDLORDS_DIR": str(LANDLORDS_DIR),
            "PIERRE_LLM": "off",
            "CM_ATTEMPTS": "1",
            "CM_TIMEOUT_S": "2",
        },
        dynamodb=dynamodb_local,
    ) as running:
        yield running


def _post(stack: RunningStack, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    secret = stack.secrets["sms-webhook-secret"]
    request = urllib.request.Request(
        f"{stack.url}/sms/{secret}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def _replies(cm: FakeCm, to: str) -> set[str]:
    """Distinct answers (CM references without the part suffix) sent to a number."""
    return {s.reference.rsplit("-", 1)[0] for s in cm.sent if s.recipient == to}


def _queue_drained(stack) -> bool:
    """No SMS waiting nor being worked on: nothing can be sent any more (no fixed sleep)."""
    sqs = stack.client("sqs")
    url = sqs.get_queue_url(QueueName="pierre-local-SmsQueue")["QueueUrl"]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return all(int(counts[name]) == 0 for name in names)


def _parts_sent(cm: FakeCm, to: str) -> Counter[str]:
    """How many times CM accepted each SMS part (reference with its part suffix) for a number."""
    return Counter(s.reference for s in cm.sent if s.recipient == to)


def test_a_duplicate_webhook_over_http_yields_exactly_one_reply(stack, cm):
    cm.script(Accept())
    body = cm_body(reference="dup-1", from__number="+33611111111")

    assert _post(stack, body) == (200, {"status": "queued"})
    assert _post(stack, body) == (200, {"status": "queued"})

    assert eventually(lambda: _replies(cm, "0033611111111") and _queue_drained(stack))
    assert len(_replies(cm, "0033611111111")) == 1
    assert set(_parts_sent(cm, "0033611111111").values()) == {1}


def test_a_cm_outage_then_recovery_delivers_exactly_once(stack, cm):
    cm.script(Fail(503), Accept())
    body = cm_body(reference="outage-1", from__number="+33622222222")

    assert _post(stack, body)[0] == 200

    assert eventually(lambda: _replies(cm, "0033622222222") and _queue_drained(stack), seconds=60)
    assert len(_replies(cm, "0033622222222")) == 1
    assert set(_parts_sent(cm, "0033622222222").values()) == {1}


def test_a_message_cm_keeps_refusing_reaches_the_dead_letter_queue(stack, cm):
    cm.script(Fail(400, error_code=202))
    sqs = stack.client("sqs")
    dlq = sqs.get_queue_url(QueueName="pierre-local-SmsDeadLetterQueue")["QueueUrl"]
    body = cm_body(reference="poison-1", from__number="+33633333333")

    assert _post(stack, body)[0] == 200

    moved: list[dict[str, Any]] = []

    def in_dlq() -> bool:
        moved.extend(sqs.receive_message(QueueUrl=dlq).get("Messages", []))
        return bool(moved)

    assert eventually(in_dlq, seconds=40), "the refused message never reached the dead-letter queue"
    assert json.loads(moved[0]["Body"])["sender"] == "+33633333333"
    assert _replies(cm, "0033633333333") == set()
    cm.script(Accept())
