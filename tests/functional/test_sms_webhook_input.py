"""What CM (or anybody holding the URL) can post to the SMS webhook: every body gets a 200 or
a clear 4xx, never a 5xx (CM retries those for a month). Recorded events, moto."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sms_webhook_handler
from pierre_rag.limits import MAX_MESSAGE_CHARS
from tests.unit.sms.support import (
    CONVERSATIONS_TABLE,
    LANDLORD_NUMBER,
    CapturedLogs,
    cm_body,
    queued_bodies,
    setup_aws,
    webhook_event,
)

# "+33612345678" in Arabic-Indic, fullwidth and Devanagari digits.
FOREIGN_DIGIT_NUMBERS = ["+٣٣٦١٢٣٤٥٦٧٨", "+３３６１２３４５６７８", "+३३६१२३४५६७८"]


@pytest.fixture
def sqs(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    return setup_aws(monkeypatch)


@pytest.fixture
def queue_url(sqs: Any) -> str:
    url: str = sqs.get_queue_url(QueueName="pierre-local-SmsQueue")["QueueUrl"]
    return url


def _call(event: dict[str, Any], lambda_context: Any) -> tuple[int, dict[str, Any]]:
    response = sms_webhook_handler.handler(event, lambda_context)
    return response["statusCode"], json.loads(response["body"] or "{}")


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def test_a_3000_deep_json_body_is_a_400(sqs: Any, queue_url: str, lambda_context: Any) -> None:
    # Given a body nested deeper than the JSON parser's recursion limit
    body = _nested(3000)

    # when CM (or anybody with the URL) posts it
    status, reply = _call(webhook_event(body), lambda_context)

    # then the webhook says why, and nothing is queued
    assert status == 400 and "nested too deeply" in reply["message"]
    assert queued_bodies(sqs, queue_url) == []


@pytest.mark.parametrize(
    "time_utc", ["1969-12-31T23:59:59", "0001-01-01T00:00:00", "0001-01-01T00:00:00+01:00", -1]
)
def test_a_time_before_1970_is_a_400_naming_the_field(
    sqs: Any, queue_url: str, lambda_context: Any, time_utc: Any
) -> None:
    status, reply = _call(webhook_event(cm_body(timeUtc=time_utc)), lambda_context)

    assert status == 400
    assert any(error.startswith("timeUtc:") for error in reply["errors"])
    assert queued_bodies(sqs, queue_url) == []


def test_a_base64_body_that_is_not_utf8_is_a_400(sqs: Any, lambda_context: Any) -> None:
    event = webhook_event("")
    event["body"] = base64.b64encode(b'{"from": "\xff\xfe"}').decode()
    event["isBase64Encoded"] = True

    status, reply = _call(event, lambda_context)

    assert status == 400 and "UTF-8" in reply["message"]


def test_a_base64_encoded_cm_message_is_queued(
    sqs: Any, queue_url: str, lambda_context: Any
) -> None:
    event = webhook_event("")
    event["body"] = base64.b64encode(json.dumps(cm_body()).encode()).decode()
    event["isBase64Encoded"] = True

    assert _call(event, lambda_context) == (200, {"status": "queued"})
    assert len(queued_bodies(sqs, queue_url)) == 1


@pytest.mark.parametrize("number", FOREIGN_DIGIT_NUMBERS)
def test_a_sender_written_in_other_digits_is_ignored_and_logged_without_the_number(
    sqs: Any, queue_url: str, dynamodb: Any, lambda_context: Any, number: str
) -> None:
    # Given a question and a STOP from a number written in non-ASCII digits
    question = cm_body(from__number=number)
    stop = cm_body("cm_inbound_stop", from__number=number)

    with CapturedLogs(sms_webhook_handler.logger) as logs:
        answers = [_call(webhook_event(body), lambda_context) for body in (question, stop)]

    # then neither is queued nor recorded (no carrier routes such a number), and the reason
    # is logged, never the number
    assert answers == [(200, {"status": "ignored"})] * 2
    assert queued_bodies(sqs, queue_url) == []
    assert dynamodb.scan(TableName=CONVERSATIONS_TABLE)["Items"] == []
    assert "the sender is not a number we can reply to" in logs.text
    assert number not in logs.text


@pytest.mark.parametrize("landlord_number", [LANDLORD_NUMBER, "0033199000042", "01 99 00 00 42"])
def test_a_message_from_a_landlord_number_is_never_answered(
    sqs: Any, queue_url: str, lambda_context: Any, landlord_number: str
) -> None:
    # Given a message whose sender is a landlord's own SMS number (two automated numbers
    # would answer each other forever)
    body = cm_body(from__number=landlord_number)

    with CapturedLogs(sms_webhook_handler.logger) as logs:
        answer = _call(webhook_event(body), lambda_context)

    assert answer == (200, {"status": "ignored"})
    assert queued_bodies(sqs, queue_url) == []
    assert "the sender is a landlord's own number" in logs.text


def test_a_long_sms_is_queued_up_to_the_one_message_limit(
    sqs: Any, queue_url: str, lambda_context: Any
) -> None:
    # Given an SMS between the old SMS cut (1,000) and the message limit
    text = ("Je voudrais savoir comment quitter mon logement social. " * 40)[:1500].strip()

    _call(webhook_event(cm_body(message__text=text)), lambda_context)

    [queued] = [json.loads(b) for b in queued_bodies(sqs, queue_url)]
    assert queued["text"] == text and queued["truncated"] is False
    assert len(text) <= MAX_MESSAGE_CHARS


def test_an_sms_over_20000_characters_is_answered_on_its_start_not_refused(
    sqs: Any, queue_url: str, lambda_context: Any
) -> None:
    # Given a text CM delivers under the 64 KB body cap but past the old 20,000-character cap
    text = "logement " * 3000

    status, reply = _call(webhook_event(cm_body(message__text=text)), lambda_context)

    # then it is queued, cut at the message limit, instead of a 400 losing it
    assert (status, reply) == (200, {"status": "queued"})
    [queued] = [json.loads(b) for b in queued_bodies(sqs, queue_url)]
    assert queued["truncated"] is True and len(queued["text"]) <= MAX_MESSAGE_CHARS


# ---------------------------------------------------------------- property
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "from__number",
    "to__number",
    "message__text",
    "reference",
    "timeUtc",
    "channel",
    "message",
]
mutated_cm_bodies = st.lists(st.tuples(st.sampled_from(FIELDS), json_values), max_size=3).map(
    lambda changes: json.dumps(cm_body(**dict(changes)))
)
numbers = st.text(alphabet="+0123456789٣３ -()", min_size=0, max_size=20)
odd_numbers = st.tuples(numbers, numbers).map(
    lambda pair: json.dumps(cm_body(from__number=pair[0], to__number=pair[1]))
)
times = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.text(alphabet="0123456789-T:+Z. ", max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20),
).map(lambda value: json.dumps(cm_body(timeUtc=value)))
raw_bodies = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),
    st.integers(1, 5000).map(_nested),
    st.integers(0, 6000).map(lambda digits: '{"timeUtc": ' + "9" * digits + "}"),
)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.one_of(mutated_cm_bodies, odd_numbers, times, raw_bodies),
    encode=st.booleans(),
)
def test_no_body_ever_gets_a_5xx(sqs: Any, lambda_context: Any, body: str, encode: bool) -> None:
    event = webhook_event(body)
    if encode:
        event["body"] = base64.b64encode(body.encode("utf-8", "surrogatepass")).decode()
        event["isBase64Encoded"] = True

    status, reply = _call(event, lambda_context)

    assert status in (200, 400, 413), reply
    if status != 200:
        assert reply["message"]
