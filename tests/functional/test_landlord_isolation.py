"""Given a landlord folder copied with its id unchanged next to a valid landlord, when the real
handlers run, then the valid landlord keeps answering, the copy gets a clear 503, and every
health route says which landlord is not served."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import admin_handler
import chat_handler
import sms_webhook_handler
from tests.functional.conftest import FIXTURE_KB
from tests.helpers import load_event

VALID = "exemple-hlm.fr"
COPY = "copie-hlm.fr"


@pytest.fixture
def landlords(runtime: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "landlords"
    for name in (VALID, COPY):  # the copy still says `id: exemple-hlm.fr`
        (root / name).mkdir(parents=True)
        shutil.copy(FIXTURE_KB / VALID / "landlord.yaml", root / name / "landlord.yaml")
    monkeypatch.setenv("PIERRE_LANDLORDS_DIR", str(root))
    return root


def _for_landlord(event: dict[str, Any], landlord: str) -> dict[str, Any]:
    text = json.dumps(event).replace(VALID, landlord)
    changed: dict[str, Any] = json.loads(text)
    return changed


def test_the_valid_landlord_answers_and_the_copy_gets_a_clear_503(landlords, lambda_context):
    answered = chat_handler.handler(load_event("chat_post_message"), lambda_context)
    refused = chat_handler.handler(
        _for_landlord(load_event("chat_post_message"), COPY), lambda_context
    )
    config = chat_handler.handler(
        _for_landlord(load_event("chat_get_config"), COPY), lambda_context
    )

    assert answered["statusCode"] == 200
    assert "event: done" in answered["body"]
    assert refused["statusCode"] == 503
    assert "configuration" in json.loads(refused["body"])["detail"]
    assert config["statusCode"] == 503


@pytest.mark.parametrize(
    ("handler", "event_name", "function"),
    [
        (chat_handler.handler, "chat_health", "chat"),
        (admin_handler.handler, "admin_health", "admin"),
        (sms_webhook_handler.handler, "sms_health", "sms_webhook"),
    ],
)
def test_every_health_route_reports_the_landlord_that_is_not_served(
    landlords, lambda_context, handler, event_name, function
):
    response = handler(load_event(event_name), lambda_context)

    assert response["statusCode"] == 200  # the valid landlord is still served
    payload = json.loads(response["body"])
    assert payload["function"] == function
    assert payload["status"] == "degraded"
    assert payload["landlords"] == [VALID]
    assert payload["invalid_landlords"] == [COPY]
    assert payload["landlord_problems"] == [
        {"landlord": COPY, "file": f"{COPY}/landlord.yaml", "kind": "wrong_id"}
    ]
