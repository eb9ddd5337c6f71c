"""Given a queue message or a webhook path secret, when the SMS functions check them (pure
functions of the domain, wired by ``sms_wiring``), then a bad message is refused naming its
fields only and the path secret matches exactly."""

from __future__ import annotations

import json

import pytest

from pierre_rag.sms.inbound import QueuedSms, parse_queued
from pierre_rag.sms.intake import secret_matches

PHONE = "+33612345678"


def _queued() -> QueuedSms:
    return QueuedSms(
        kind="question",
        message_id="m1",
        landlord="exemple-hlm.fr",
        sender=PHONE,
        recipient="+33199000042",
        text="Quel est le préavis ?",
        received_ms=1_795_615_331_000,
    )


def test_a_queue_message_round_trips() -> None:
    assert parse_queued(_queued().model_dump_json()) == _queued()


def test_an_invalid_queue_message_names_its_fields_and_never_their_values() -> None:
    body = json.loads(_queued().model_dump_json()) | {"sender": "06 12", "received_ms": -1}

    with pytest.raises(ValueError, match="invalid SMS queue message") as raised:
        parse_queued(json.dumps(body))

    assert "sender" in str(raised.value) and "received_ms" in str(raised.value)
    assert "06 12" not in str(raised.value)


def test_a_queue_message_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        parse_queued("[]")


@pytest.mark.parametrize(
    ("candidate", "matches"),
    [("the-secret", True), ("the-secreT", False), ("the-secret ", False), ("", False)],
)
def test_the_path_secret_must_match_exactly(candidate: str, matches: bool) -> None:
    assert secret_matches(candidate, "the-secret") is matches
