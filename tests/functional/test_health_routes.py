"""Given a recorded HTTP API v2 event, when the real handler runs, then it answers health."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

import admin_handler
import chat_handler
import chat_wiring
import sms_webhook_handler
from chat_api.app import create_app
from chat_wiring import knowledge_statuses, served_registry
from tests.helpers import load_event

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


@pytest.mark.parametrize(
    ("handler", "event_name", "function"),
    [
        (chat_handler.handler, "chat_health", "chat"),
        (admin_handler.handler, "admin_health", "admin"),
        (sms_webhook_handler.handler, "sms_health", "sms_webhook"),
    ],
)
def test_each_function_answers_its_health_route(
    runtime, handler, event_name, function, lambda_context
):
    response = handler(load_event(event_name), lambda_context)

    assert response["statusCode"] == 200
    payload = json.loads(response["body"])
    assert payload["status"] == "ok"
    assert payload["function"] == function
    assert payload["landlords"] == ["exemple-hlm.fr"]
    assert payload["invalid_landlords"] == []
    assert payload["version"] == tomllib.loads(PYPROJECT.read_text())["project"]["version"]


def test_chat_unknown_route_is_a_json_404(lambda_context):
    response = chat_handler.handler(load_event("chat_unknown_route"), lambda_context)

    assert response["statusCode"] == 404
    assert response["headers"]["content-type"] == "application/json"


def test_chat_init_builds_the_services_and_serves_health_before_the_first_event(runtime):
    # Given a chat app that has served nothing (Starlette builds its middleware stack, FastAPI
    # its routes' state, on a first request)
    app = create_app(chat_wiring.services, served_registry, knowledge_statuses)
    assert app.middleware_stack is None

    # When the Lambda init runs
    status = chat_handler.init(app)

    # Then the services are built and a first request was served: under SnapStart the snapshot
    # holds what it built, and no restored container pays it on its first event
    assert status == 200
    assert chat_wiring.services.peek() is not None
    assert app.middleware_stack is not None
