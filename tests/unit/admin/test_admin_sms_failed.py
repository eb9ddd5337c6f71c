"""Administrators see their landlord's SMS that could not be answered, safely rendered."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from admin_app.app import create_app
from starlette.testclient import TestClient

from pierre_rag.auth.access import StaffRole
from pierre_rag.sms.failed import delete_failed, peek_failed, requeue_failed
from pierre_rag.sms.inbound import QueuedSms
from tests.unit.admin.harness import LANDLORD, OTHER, Admin


def test_an_administrator_sees_the_failed_sms_escaped_and_without_the_number(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)

    page = admin.client.get("/admin/sms/failed")

    assert page.status_code == 200
    assert "&lt;b&gt;chauffage&lt;/b&gt; en panne" in page.text
    assert "<b>chauffage</b>" not in page.text
    assert "•• 78" in page.text and "CM answered 503" in page.text


def test_another_landlord_sees_none_of_them(admin):
    admin.sign_in_as(f"a@{OTHER}", StaffRole.ADMINISTRATOR, landlord=OTHER)

    page = admin.client.get("/admin/sms/failed")

    assert page.status_code == 200
    assert "Aucun SMS en échec" in page.text


@pytest.fixture
def with_dlq(admin: Admin) -> Iterator[tuple[Admin, Any, str, str]]:
    """The admin app wired to real (moto) SQS queues: one failed SMS per landlord."""
    sqs = boto3.client("sqs", region_name="eu-west-3")
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    queue = sqs.create_queue(QueueName="queue")["QueueUrl"]
    for message_id, landlord in (("m1", LANDLORD), ("x1", OTHER)):
        sqs.send_message(QueueUrl=dlq, MessageBody=_queued(message_id, landlord))
    services = dataclasses.replace(
        admin.services,
        failed_sms=lambda landlord: peek_failed(sqs, dlq, landlord),
        requeue_failed_sms=lambda landlord, m: requeue_failed(sqs, dlq, queue, landlord, m),
        delete_failed_sms=lambda landlord, m: delete_failed(sqs, dlq, landlord, m),
    )
    client = TestClient(create_app(lambda: services), base_url="https://admin.example.org")
    with client:
        yield Admin(client, services, admin.clock), sqs, dlq, queue


def _queued(message_id: str, landlord: str) -> str:
    return QueuedSms(
        kind="question",
        message_id=message_id,
        landlord=landlord,
        sender="+33612345678",
        recipient="+33199000001",
        text="Mon chauffage est en panne",
        received_ms=1_795_615_331_000,
    ).model_dump_json()


def _in(sqs: Any, url: str) -> list[str]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return sorted(json.loads(m["Body"])["message_id"] for m in messages.get("Messages", []))


def test_an_administrator_requeues_a_failed_sms_for_the_worker(with_dlq):
    # Given a failed SMS listed on the page, with its two actions
    admin, sqs, dlq, queue = with_dlq
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    page = admin.client.get("/admin/sms/failed")
    assert 'action="/admin/sms/failed/requeue"' in page.text
    assert 'action="/admin/sms/failed/delete"' in page.text

    # When the administrator sends it back
    response = admin.client.post(
        "/admin/sms/failed/requeue",
        data={"csrf": csrf, "message_id": "m1"},
        follow_redirects=False,
    )

    # Then it is in the worker's queue, out of the DLQ, and the page says so
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/sms/failed?done=requeued"
    assert _in(sqs, queue) == ["m1"]
    assert _in(sqs, dlq) == ["x1"]
    assert "renvoyé au traitement" in admin.client.get(response.headers["location"]).text


def test_an_administrator_deletes_a_failed_sms(with_dlq):
    admin, sqs, dlq, queue = with_dlq
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)

    response = admin.client.post(
        "/admin/sms/failed/delete", data={"csrf": csrf, "message_id": "m1"}, follow_redirects=False
    )

    assert response.headers["location"] == "/admin/sms/failed?done=deleted"
    assert _in(sqs, dlq) == ["x1"] and _in(sqs, queue) == []


@pytest.mark.parametrize("action", ["requeue", "delete"])
def test_without_the_csrf_token_nothing_moves(with_dlq, action):
    admin, sqs, dlq, queue = with_dlq
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)

    response = admin.client.post(
        f"/admin/sms/failed/{action}", data={"csrf": "forged", "message_id": "m1"}
    )

    assert response.status_code == 403
    assert _in(sqs, dlq) == ["m1", "x1"] and _in(sqs, queue) == []


@pytest.mark.parametrize("action", ["requeue", "delete"])
def test_another_landlords_failed_sms_is_out_of_reach(with_dlq, action):
    admin, sqs, dlq, queue = with_dlq
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)

    response = admin.client.post(
        f"/admin/sms/failed/{action}",
        data={"csrf": csrf, "message_id": "x1"},
        follow_redirects=False,
    )

    assert response.headers["location"] == "/admin/sms/failed?done=gone"
    assert _in(sqs, dlq) == ["m1", "x1"] and _in(sqs, queue) == []


def test_a_malformed_message_id_is_refused(with_dlq):
    admin, sqs, dlq, _ = with_dlq
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)

    response = admin.client.post(
        "/admin/sms/failed/requeue", data={"csrf": csrf, "message_id": "m1\n<script>"}
    )

    assert response.status_code == 400
    assert _in(sqs, dlq) == ["m1", "x1"]
