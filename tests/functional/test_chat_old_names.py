"""Pages and widgets loaded before the landlord rename keep working (issue #14): the first
``/api/tenants/...`` paths and the ``tenant`` body field and query parameter are still served,
beside the new ``/api/landlords/...`` paths and ``landlord`` field."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from chat_api.models import OLD_LANDLORD_FIELD
from chat_api.routes import OLD_PATHS
from tests.helpers import load_event

LANDLORD = "exemple-hlm.fr"


def _get(path: str, query: dict[str, str] | None = None) -> dict[str, Any]:
    event = load_event("chat_get_config")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["rawQueryString"] = "&".join(f"{key}={value}" for key, value in (query or {}).items())
    event["queryStringParameters"] = query or None
    return event


def _with_old_landlord_field(event: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(event["body"])
    body.pop("landlord", None)
    body.pop(OLD_LANDLORD_FIELD, None)
    event["body"] = json.dumps({OLD_LANDLORD_FIELD: LANDLORD, **body})
    event["headers"].pop("content-length", None)
    return event


@pytest.mark.parametrize("prefix", ["/api/landlords", "/api" + OLD_PATHS])
def test_the_config_is_served_under_the_new_and_the_old_path(chat, prefix):
    response = chat(_get(f"{prefix}/{LANDLORD}/contexts/default/config"))

    assert response["statusCode"] == 200
    assert json.loads(response["body"])["name"]


@pytest.mark.parametrize("prefix", ["/api/landlords", "/api" + OLD_PATHS])
def test_the_manifest_is_served_under_the_new_and_the_old_path(chat, prefix):
    response = chat(_get(f"{prefix}/{LANDLORD}/manifest.webmanifest"))

    assert response["statusCode"] == 200
    body = response["body"]
    manifest = json.loads(base64.b64decode(body) if response["isBase64Encoded"] else body)
    assert manifest["start_url"] == f"/api/embed/{LANDLORD}/default"


def test_the_old_path_is_left_out_of_the_schema(chat):
    paths = json.loads(chat(_get("/api/openapi.json"))["body"])["paths"]

    assert not [path for path in paths if path.startswith("/api" + OLD_PATHS)]
    assert "/api/landlords/{landlord}/contexts/{context}/config" in paths


def test_a_message_and_its_feedback_with_the_old_field_name_are_answered(chat):
    message = chat(_with_old_landlord_field(load_event("chat_post_message")))
    feedback = chat(_with_old_landlord_field(load_event("chat_post_feedback")))

    assert message["statusCode"] == 200
    assert '"outcome":"answered"' in message["body"]
    assert feedback["statusCode"] == 204


@pytest.mark.parametrize("parameter", ["landlord", OLD_LANDLORD_FIELD])
def test_history_takes_the_new_or_the_old_query_parameter(chat, parameter):
    chat(load_event("chat_post_message"))
    path = load_event("chat_get_history")["rawPath"]

    response = chat(_get(path, {parameter: LANDLORD, "context": "default"}))

    assert response["statusCode"] == 200
    assert [turn["role"] for turn in json.loads(response["body"])["turns"]] == [
        "user",
        "assistant",
    ]


def test_history_without_a_landlord_is_a_422(chat):
    path = load_event("chat_get_history")["rawPath"]

    assert chat(_get(path, {"context": "default"}))["statusCode"] == 422
