"""Messages queued before the landlord rename carry ``tenant``: the worker still reads them
while the queue drains; new messages are written with ``landlord`` (issue #14)."""

from __future__ import annotations

import json

from pierre_rag.sms.inbound import OLD_LANDLORD_FIELD, QueuedSms, parse_queued
from tests.helpers import load_event

LANDLORD = "exemple-hlm.fr"


def _queued_body(**changes: object) -> dict[str, object]:
    body: dict[str, object] = json.loads(load_event("sqs_sms_question")["Records"][0]["body"])
    body.pop("landlord", None)
    body.pop(OLD_LANDLORD_FIELD, None)
    return {**body, **changes}


def test_a_message_queued_with_the_old_field_name_is_read():
    queued = parse_queued(json.dumps(_queued_body(**{OLD_LANDLORD_FIELD: LANDLORD})))

    assert queued.landlord == LANDLORD


def test_a_new_message_is_written_with_the_new_field_name():
    queued = parse_queued(json.dumps(_queued_body(landlord=LANDLORD)))

    written = json.loads(queued.model_dump_json())

    assert written["landlord"] == LANDLORD and OLD_LANDLORD_FIELD not in written
    assert QueuedSms.model_validate(written) == queued
