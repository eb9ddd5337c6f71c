"""Given the chat and admin handlers with their log output captured, when recorded events are
handled, then every line is JSON with the Lambda context, the request's correlation id and
the extra fields, and no line holds what the user wrote."""

from __future__ import annotations

import json

import admin_handler
import chat_handler
from tests.helpers import load_event
from tests.unit.sms.support import CapturedLogs

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
