"""Given recorded HTTP API v2 events, when the chat function answers, then feedback is rate
limited, a staff context's config tells an anonymous page nothing internal, and responses carry
HSTS (issue #13, item 12)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import yaml

import chat_wiring
from pierre_rag.ratelimit import RateLimiter
from tests.functional.conftest import FIXTURE_KB, signed_in
from tests.helpers import FROZEN_FUTURE_S, load_event

CONVERSATION = "7d1f5f0e-3c2a-4b8e-9f61-2a4c6b8d0e13"
WINDOW_START = FROZEN_FUTURE_S  # a multiple of every chat window: no roll-over mid-test


@pytest.fixture
def chat(chat):
    """The conftest's chat, its limits counted from the start of a window."""
    limiter = chat_wiring.services().limiter
    assert isinstance(limiter, RateLimiter)  # the clock is the DynamoDB one's
    limiter.clock = lambda: WINDOW_START + 1
    return chat


def _feedback(rating: str = "up", conversation: str = CONVERSATION) -> dict[str, Any]:
    event = load_event("chat_post_feedback")
    body = json.loads(event["body"])
    body["rating"] = rating
    event["body"] = json.dumps(body)
    path = f"/api/conversations/{conversation}/feedback"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    return event


def test_feedback_on_one_conversation_is_limited_and_a_refused_one_changes_nothing(chat):
    chat(load_event("chat_post_message"))
    limit = chat_wiring.services().limits.feedback_per_conversation.max_hits
    accepted = [chat(_feedback("up"))["statusCode"] for _ in range(limit)]

    refused = chat(_feedback("down"))

    assert accepted == [204] * limit
    assert refused["statusCode"] == 429
    assert 1 <= int(refused["headers"]["retry-after"]) <= 300
    assert "Réessayez" in json.loads(refused["body"])["detail"]
    meta = chat_wiring.services().store.get_meta(CONVERSATION)
    assert meta is not None and meta.customer_score == 1


def test_feedback_from_one_ip_is_limited_across_conversations(chat):
    limit = chat_wiring.services().limits.feedback_per_ip.max_hits
    statuses = [chat(_feedback(conversation=str(uuid.uuid4())))["statusCode"] for _ in range(limit)]

    refused = chat(_feedback(conversation=str(uuid.uuid4())))

    assert statuses == [404] * limit  # unknown conversations still count: no free probing
    assert refused["statusCode"] == 429


STAFF_GREETING = "Bonjour l'équipe : procédures internes et astreinte."
STAFF_EXAMPLE = "Qui est d'astreinte ce week-end ?"
INTERNAL_PHONE = "01 99 00 45 12"


@pytest.fixture
def staff_context(runtime, tmp_path, monkeypatch):
    """The fixture landlord, its staff context given a greeting, examples and an internal phone."""
    landlord = yaml.safe_load((FIXTURE_KB / "exemple-hlm.fr" / "landlord.yaml").read_text())
    landlord["contexts"]["staff"].update(
        greeting=STAFF_GREETING,
        examples=[STAFF_EXAMPLE],
        handoff={"label": "Astreinte", "phone": INTERNAL_PHONE},
    )
    folder = tmp_path / "exemple-hlm.fr"
    folder.mkdir()
    (folder / "landlord.yaml").write_text(yaml.safe_dump(landlord, allow_unicode=True))
    monkeypatch.setenv("PIERRE_LANDLORDS_DIR", str(tmp_path))


def _staff_config() -> dict[str, Any]:
    event = load_event("chat_get_config")
    path = "/api/landlords/exemple-hlm.fr/contexts/staff/config"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    return event


def test_an_anonymous_page_of_a_staff_context_learns_only_that_it_is_reserved(staff_context, chat):
    response = chat(_staff_config())

    assert response["statusCode"] == 200
    config = json.loads(response["body"])
    assert (config["protected"], config["authenticated"]) == (True, False)
    assert (config["greeting"], config["examples"], config["handoff"]) == ("", [], None)
    for internal in (STAFF_GREETING, STAFF_EXAMPLE, INTERNAL_PHONE):
        assert internal not in response["body"]


def test_staff_see_their_context_greeting_examples_and_contacts(staff_context, chat, runtime):
    token, _ = signed_in(runtime)
    event = _staff_config()
    event["cookies"] = [f"pierre_session={token}"]

    config = json.loads(chat(event)["body"])

    assert config["authenticated"] is True
    assert (config["greeting"], config["examples"]) == (STAFF_GREETING, [STAFF_EXAMPLE])
    assert config["handoff"]["phone"] == INTERNAL_PHONE


def test_every_chat_response_over_https_carries_hsts(chat):
    preflight = load_event("chat_post_message")
    preflight["requestContext"]["http"]["method"] = "OPTIONS"
    preflight["headers"]["origin"] = "http://localhost:3000"
    unknown = load_event("chat_unknown_route")

    responses = {
        "stream": chat(load_event("chat_post_message")),
        "json": chat(load_event("chat_get_config")),
        "page": chat(load_event("chat_get_embed")),
        "preflight": chat(preflight),
        "not found": chat(unknown),
    }

    for name, response in responses.items():
        assert response["headers"]["strict-transport-security"] == "max-age=31536000", name


def test_plain_http_on_the_local_machine_gets_no_hsts(chat):
    event = load_event("chat_get_config")
    event["headers"]["host"] = "localhost:3000"
    del event["headers"]["x-forwarded-proto"]

    response = chat(event)

    assert response["statusCode"] == 200
    assert "strict-transport-security" not in response["headers"]
