"""Given the chat and admin handlers with their log output captured, when recorded events are
handled, then every line is JSON with the Lambda context, the request's correlation id and
the extra fields, and no line holds what the user wrote."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from admin_app.services import default_services

import admin_handler
import chat_handler
from chat_api.services import chat_services
from tests.helpers import load_event
from tests.unit.sms.support import CapturedLogs

QUESTION = "Quel est le préavis pour quitter mon logement au 06 12 34 56 78 ?"


@pytest.fixture
def chat(runtime: Any) -> Iterator[None]:
    chat_services.cache_clear()
    yield
    chat_services.cache_clear()


def test_a_chat_turn_logs_one_json_line_with_its_outcome_and_no_text(chat, lambda_context):
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
    assert answer["landlord"] == body["tenant"]
    assert answer["outcome"] == "answered" and answer["mode"] == "extractive"
    assert answer["level"] == "INFO" and answer["name"] == "chat_api.routes"
    assert answer["correlation_id"] == event["requestContext"]["requestId"]
    assert answer["function_request_id"] == lambda_context.aws_request_id
    # and nothing the user wrote is in any line
    assert "préavis" not in logs.text and "06 12 34 56 78" not in logs.text


def test_an_admin_request_logs_json_lines_with_the_request_correlation_id(
    dynamodb, monkeypatch, lambda_context
):
    # Given the admin without the origin secret (its rule then logs a warning on first use)
    boto3.client("ssm").put_parameter(
        Name="/pierre/session-secret", Value="x" * 40, Type="SecureString"
    )
    default_services.cache_clear()
    event = load_event("admin_login_forged_csrf")

    def invoke() -> dict[str, Any]:
        asyncio.set_event_loop(asyncio.new_event_loop())
        return admin_handler.handler(event, lambda_context)

    # When the admin handles a login post (a forged one)
    try:
        with (
            CapturedLogs(admin_handler.logger, "admin_app") as logs,
            ThreadPoolExecutor(max_workers=1) as pool,
        ):
            response = pool.submit(invoke).result()
    finally:
        default_services.cache_clear()

    # Then the layer's line is JSON, with the request's correlation id
    assert response["statusCode"] == 403  # the forged login, refused
    (warning,) = [line for line in logs.lines() if line["name"] == "pierre_rag.client_ip"]
    assert warning["level"] == "WARNING"
    assert warning["correlation_id"] == event["requestContext"]["requestId"]
    assert warning["function_name"] == lambda_context.function_name
