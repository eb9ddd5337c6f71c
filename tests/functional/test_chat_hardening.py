"""Given recorded HTTP API v2 events, when the chat function answers, then feedback is rate
limited, a staff context's config tells an anonymous page nothing internal, and responses carry
HSTS (issue #13, item 12)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

import chat_handler
from chat_api.services import chat_services
from tests.helpers import load_event

CONVERSATION = "7d1f5f0e-3c2a-4b8e-9f61-2a4c6b8d0e13"
WINDOW_START = 1_800_000_000  # a multiple of every chat window: no roll-over mid-test


@pytest.fixture
def chat(runtime, lambda_context):
    chat_services.cache_clear()
    chat_services().limiter.clock = lambda: WINDOW_START + 1

    def call(event):
        return chat_handler.handler(event, lambda_context)

    yield call
    chat_services.cache_clear()


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
    limit = chat_services().limits.feedback_per_conversation.max_hits
    accepted = [chat(_feedback("up"))["statusCode"] for _ in range(limit)]

    refused = chat(_feedback("down"))

    assert accepted == [204] * limit
    assert refused["statusCode"] == 429
    assert 1 <= int(refused["headers"]["retry-after"]) <= 300
    assert "Réessayez" in json.loads(refused["body"])["detail"]
    meta = chat_services().store.get_meta(CONVERSATION)
    assert meta is not None and meta.customer_score == 1


def test_feedback_from_one_ip_is_limited_across_conversations(chat):
    limit = chat_services().limits.feedback_per_ip.max_hits
    statuses = [chat(_feedback(conversation=str(uuid.uuid4())))["statusCode"] for _ in range(limit)]

    refused = chat(_feedback(conversation=str(uuid.uuid4())))

    assert statuses == [404] * limit  # unknown conversations still count: no free probing
    assert refused["statusCode"] == 429
