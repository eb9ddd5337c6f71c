"""Given the chat and admin handlers with their log output captured, when recorded events are
handled, then every line is JSON with the Lambda context, the request's correlation id and
the extra fields, and no line holds personal data: what the user wrote, a phone number, an
e-mail address, a password or the client's IP address."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

import admin_handler
import chat_handler
from pierre_rag.auth.bootstrap import bootstrap_secret_name
from tests.helpers import admin_login_event, load_event
from tests.unit.sms.support import CapturedLogs

LANDLORD = "pierre-habitat.fr"
BOOTSTRAP = "b" * 20

QUESTION = "Quel est le préavis pour quitter mon logement au 06 12 34 56 78 ?"


def test_a_chat_turn_logs_one_json_line_with_its_outcome_and_no_text(runtime, lambda_context):
    # Given a recorded chat message holding a question and a phone number
    event = load_event("chat_post_message")
    body = json.loads(event["body"])
    body["text"] = QUESTION
    event["body"] = json.dumps(body)

    # When the chat handler answers it
    with CapturedLogs(chat_handler.logger, "chat_api") as logs:
        response = chat_handler.handler(event, lambda_context)

    # Then the answer is logged as JSON with its extra fields and the Lambda context
    assert response["statusCode"] == 200
    (answer,) = [line for line in logs.lines() if line["message"] == "chat answer sent"]
    assert answer["landlord"] == body["landlord"]
    assert answer["outcome"] == "answered" and answer["mode"] == "extractive"
    assert answer["emergencies"] == []
    assert answer["level"] == "INFO" and answer["name"] == "chat_api.routes"
    assert answer["correlation_id"] == event["requestContext"]["requestId"]
    assert answer["function_request_id"] == lambda_context.aws_request_id
    # and nothing the user wrote is in any line
    assert "préavis" not in logs.text and "06 12 34 56 78" not in logs.text


def test_an_admin_request_logs_json_lines_with_the_request_correlation_id(admin, lambda_context):
    # Given the admin without the origin secret (its rule then logs a warning on first use)
    event = load_event("admin_login_forged_csrf")

    # When the admin handles a login post (a forged one)
    with CapturedLogs(admin_handler.logger, "admin_app") as logs:
        response = admin(event)

    # Then the layer's line is JSON, with the request's correlation id
    assert response["statusCode"] == 403  # the forged login, refused
    (warning,) = [line for line in logs.lines() if line["name"] == "pierre_rag.client_ip"]
    assert warning["level"] == "WARNING"
    assert warning["correlation_id"] == event["requestContext"]["requestId"]
    assert warning["function_name"] == lambda_context.function_name


def _addresses(event: dict[str, Any]) -> set[str]:
    """The client's IP addresses an HTTP API event carries."""
    forwarded = event["headers"].get("x-forwarded-for", "")
    return {event["requestContext"]["http"]["sourceIp"]} | {
        part.strip() for part in forwarded.split(",") if part.strip()
    }


def test_every_line_of_a_chat_turn_has_its_correlation_id_and_no_address(runtime, lambda_context):
    # Given a recorded chat message
    event = load_event("chat_post_message")

    # When the chat handler answers it
    with CapturedLogs(chat_handler.logger, "chat_api") as logs:
        response = chat_handler.handler(event, lambda_context)

    # Then every line of the turn carries the request's id, and none the client's address
    assert response["statusCode"] == 200
    lines = logs.lines()
    assert lines
    assert {line["correlation_id"] for line in lines} == {event["requestContext"]["requestId"]}
    for address in _addresses(event):
        assert address not in logs.text


@pytest.fixture
def bootstrap_secret(admin_env) -> None:
    boto3.client("ssm").put_parameter(
        Name=f"/pierre/{bootstrap_secret_name(LANDLORD)}", Value=BOOTSTRAP, Type="SecureString"
    )


def test_admin_sign_ins_are_logged_without_address_password_or_ip(
    bootstrap_secret, admin, lambda_context
):
    # Given a refused sign-in and the first administrator's accepted one
    refused, accepted = (
        admin_login_event(f"admin@{LANDLORD}", "wrong-password-123"),
        admin_login_event(f"admin@{LANDLORD}", BOOTSTRAP),
    )

    # When the admin handles both
    with CapturedLogs(admin_handler.logger, "admin_app") as logs:
        statuses = [admin(refused)["statusCode"], admin(accepted)["statusCode"]]

    # Then both are logged, each line with its request's id, the accepted one with the
    # landlord and role only; no line holds the e-mail, a password or an IP address
    assert statuses == [401, 303]
    by_message = {line["message"]: line for line in logs.lines()}
    assert by_message["staff sign-in refused"]["level"] == "WARNING"
    signed_in = by_message["staff signed in"]
    assert (signed_in["landlord"], signed_in["role"]) == (LANDLORD, "administrator")
    assert signed_in["correlation_id"] == accepted["requestContext"]["requestId"]
    for secret in (f"admin@{LANDLORD}", "wrong-password-123", BOOTSTRAP, *_addresses(accepted)):
        assert secret not in logs.text
