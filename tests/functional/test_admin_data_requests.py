"""Given recorded HTTP API v2 events, when the real admin handler serves a tenant's data
request (its wiring: the phone-hash key from SSM, the audit in the conversations table on
DynamoDB Local), then the number's SMS conversation is found, exported as a zip through API
Gateway's base64 body, erased, and each step audited."""

from __future__ import annotations

import base64
import io
import zipfile

import boto3

from pierre_local.resources import LocalResources
from pierre_rag.auth.access import StaffRole
from pierre_rag.conversations import SMS_SENDER_ATTRIBUTE, ConversationStore, Turn
from pierre_rag.data_requests import DataRequestLog
from pierre_rag.phones import pseudonymise_phone
from tests.functional.conftest import LANDLORD, invoke_admin, signed_in
from tests.helpers import admin_post_event

PHONE_HASH_KEY = "functional-tests-phone-hash-key"
NUMBER = "+33612345678"
TABLE = LocalResources.physical_name("ConversationsTable")


def test_a_numbers_data_is_found_exported_and_erased_through_the_admin_function(
    runtime, lambda_context
):
    # given the deployment's phone-hash key, and an SMS conversation as the worker stores it
    boto3.client("ssm").put_parameter(
        Name="/pierre/phone-hash-key", Value=PHONE_HASH_KEY, Type="SecureString"
    )
    sender = pseudonymise_phone(NUMBER, PHONE_HASH_KEY.encode())
    store = ConversationStore(runtime, TABLE)
    store.record_user_turn(
        "sms-1",
        Turn("user", "Quand passe le chauffagiste ?", "m1", 1_795_600_000_000),
        landlord=LANDLORD,
        context="default",
        channel="sms",
        retention_days=30,
        extra_meta={SMS_SENDER_ATTRIBUTE: sender, "sms_to": "+33199000001"},
    )
    token, session = signed_in(runtime, StaffRole.ADMINISTRATOR, f"admin@{LANDLORD}")
    subject = {"csrf": session.csrf, "kind": "phone", "key": sender}

    # when an administrator searches the number, exports and erases what it finds
    found = invoke_admin(
        admin_post_event(
            "/admin/data-requests/search", token, {"csrf": session.csrf, "phone": "06 12 34 56 78"}
        ),
        lambda_context,
    )
    exported = invoke_admin(
        admin_post_event("/admin/data-requests/export", token, subject), lambda_context
    )
    erased = invoke_admin(
        admin_post_event("/admin/data-requests/delete", token, subject), lambda_context
    )

    # then the search found it by the key from SSM
    assert found["statusCode"] == 200, found["body"][:500]
    assert "Quand passe le chauffagiste ?" in found["body"]
    # the export crossed API Gateway as a base64 zip
    assert exported["statusCode"] == 200
    assert exported["isBase64Encoded"] is True
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(exported["body"])))
    assert "Quand passe le chauffagiste ?" in archive.read("conversations.txt").decode("utf-8")
    # the erasure removed it, and the audit holds the three steps with the hash only
    assert erased["statusCode"] == 303
    assert store.get_meta("sms-1") is None
    audit = DataRequestLog(runtime, TABLE).latest(LANDLORD)
    assert sorted(entry.action for entry in audit) == ["delete", "export", "search"]
    assert {entry.subject.key for entry in audit} == {sender}
