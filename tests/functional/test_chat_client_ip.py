"""Given recorded HTTP API v2 events, when callers rotate the headers that name a client, then
the per-IP chat limit still counts them by what the platform set (issue #13, item 3)."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

import chat_wiring
from pierre_rag.client_ip import ORIGIN_SECRET_HEADER, VIEWER_ADDRESS_HEADER
from pierre_rag.ratelimit import RateLimiter
from tests.helpers import FROZEN_FUTURE_S, load_event

ORIGIN_SECRET = "functional-origin-secret-0123456789"
WINDOW_START = FROZEN_FUTURE_S  # a multiple of every chat window: no roll-over mid-test
EDGE = "130.176.1.10"


@pytest.fixture
def chat(chat):
    """The conftest's chat behind CloudFront's origin secret, its limits counted from the start
    of a window."""
    boto3.client("ssm").put_parameter(
        Name="/pierre/origin-secret", Value=ORIGIN_SECRET, Type="String"
    )
    limiter = chat_wiring.services().limiter
    assert isinstance(limiter, RateLimiter)  # the clock is the DynamoDB one's
    limiter.clock = lambda: WINDOW_START + 1
    return chat


def _message_in_new_conversation(source_ip: str, headers: dict[str, str]) -> dict[str, Any]:
    """A first message of a fresh conversation, so only the per-IP limit can refuse it."""
    event = load_event("chat_post_message")
    path = f"/api/conversations/{uuid.uuid4()}/messages"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["sourceIp"] = source_ip
    event["headers"].update(headers)
    return event


def _statuses(chat, events: list[dict[str, Any]]) -> list[int]:
    return [chat(event)["statusCode"] for event in events]


def test_rotating_the_viewer_header_on_direct_calls_does_not_escape_the_ip_limit(chat):
    limit = chat_wiring.services().limits.per_ip.max_hits
    events = [
        _message_in_new_conversation(
            "198.51.100.7",
            {
                VIEWER_ADDRESS_HEADER: f"203.0.113.{index}:443",
                "x-forwarded-for": f"192.0.2.{index}, 198.51.100.7",
            },
        )
        for index in range(limit + 1)
    ]

    statuses = _statuses(chat, events)

    assert statuses[:limit] == [200] * limit
    assert statuses[limit] == 429


def test_a_wrong_origin_secret_does_not_make_the_viewer_header_believed(chat):
    limit = chat_wiring.services().limits.per_ip.max_hits
    events = [
        _message_in_new_conversation(
            EDGE,
            {
                VIEWER_ADDRESS_HEADER: f"203.0.113.{index}:443",
                ORIGIN_SECRET_HEADER: "a guess at the origin secret",
            },
        )
        for index in range(limit + 1)
    ]

    assert _statuses(chat, events)[limit] == 429


def test_through_cloudfront_each_viewer_has_its_own_limit_and_one_viewer_is_limited(chat):
    limit = chat_wiring.services().limits.per_ip.max_hits
    through_cloudfront = {ORIGIN_SECRET_HEADER: ORIGIN_SECRET}
    many_viewers = [
        _message_in_new_conversation(
            EDGE, {**through_cloudfront, VIEWER_ADDRESS_HEADER: f"203.0.113.{index}:443"}
        )
        for index in range(limit + 1)
    ]
    one_viewer = [
        _message_in_new_conversation(
            EDGE, {**through_cloudfront, VIEWER_ADDRESS_HEADER: "192.0.2.50:5000"}
        )
        for _ in range(limit + 1)
    ]

    assert _statuses(chat, many_viewers) == [200] * (limit + 1)  # not all counted as the edge
    assert _statuses(chat, one_viewer)[limit] == 429
