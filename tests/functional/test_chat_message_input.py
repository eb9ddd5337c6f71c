"""Any text the chat's message route accepts is answered; anything else is a 4xx that
stores nothing (hypothesis over lengths and Unicode, through the Lambda handler)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chat_handler
import chat_wiring
from chat_api.services import ChatLimits
from pierre_rag.limits import MAX_MESSAGE_CHARS
from pierre_rag.ratelimit import Limit
from tests.helpers import load_event

# Pieces that have broken text handling elsewhere: controls and NUL, bidi overrides, right-to-
# left scripts, combining marks, astral planes, zero-width and exotic spaces, lone surrogates.
PIECES = [
    "\x00", "\x07", "\x1b[31m", "\r\n", "\t", "\u202e", "\u200f", "\u2066", "مرحبا بكم ",
    "שלום ", "e\u0301\u0301\u0301", "Z\u0351\u0352\u0353", "😀", "🏠", "𝕏", "\U000e0041",
    "\U0010fffd", "\u200b", "\ufeff", "\u3000", "\u2003", "\u00a0", " ", "\ud800", "\udfff",
    "préavis ", "logement ", "Quel est le préavis ? ", "a",
]  # fmt: skip
BOUNDARIES = [1, 999, 1000, 1001, 1500, 1999, MAX_MESSAGE_CHARS, MAX_MESSAGE_CHARS + 1, 4001]

repeated = st.tuples(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=6),
    st.one_of(st.sampled_from(BOUNDARIES), st.integers(0, MAX_MESSAGE_CHARS + 50)),
).map(lambda drawn: ("".join(drawn[0]) * (drawn[1] + 1))[: drawn[1]])
arbitrary = st.text(st.characters(exclude_categories=()), max_size=MAX_MESSAGE_CHARS + 20)
texts = st.one_of(repeated, arbitrary)


@pytest.fixture
def chat(runtime: Any, lambda_context: Any) -> Any:
    services = chat_wiring.services()
    # Every example is a new visitor: the per-IP limit is not what is under test here.
    services.limits = ChatLimits(
        per_ip=Limit("chat-ip", max_hits=10_000, window_s=300),
        per_conversation=Limit("chat-conversation", max_hits=10_000, window_s=300),
    )

    def call(event: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = chat_handler.handler(event, lambda_context)
        return response

    return call


def _message_event(conversation: str, text: str) -> dict[str, Any]:
    event = load_event("chat_post_message")
    body = json.loads(event["body"])
    body.update(text=text, message_id=str(uuid.uuid4()))
    # ASCII JSON: lone surrogates travel as \\ud800 escapes, as a browser could send them.
    event["body"] = json.dumps(body, ensure_ascii=True)
    path = f"/api/conversations/{conversation}/messages"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["pathParameters"] = {"proxy": path.removeprefix("/api/")}
    return event


def _sse_kinds(body: str) -> list[str]:
    return [
        line.removeprefix("event: ") for line in body.splitlines() if line.startswith("event: ")
    ]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=texts)
def test_any_message_text_is_answered_or_refused_with_a_4xx_that_stores_nothing(
    chat: Any, text: str
) -> None:
    # Given a new conversation, when any text is posted to it
    conversation = str(uuid.uuid4())
    response = chat(_message_event(conversation, text))

    # then it is answered as a complete event stream, or refused with a 4xx storing nothing
    status = response["statusCode"]
    assert status < 500, response["body"][:300]
    if status == 200:
        kinds = _sse_kinds(response["body"])
        assert kinds[0] == "delta" and kinds[-1] == "done", kinds
    else:
        assert 400 <= status < 500
        assert json.loads(response["body"])["detail"]
        assert chat_wiring.services().store.get_meta(conversation) is None


@pytest.mark.parametrize("length", [1001, 1500, MAX_MESSAGE_CHARS])
def test_a_message_longer_than_1000_characters_is_answered(chat: Any, length: int) -> None:
    # Given a message between the old internal cap (1,000) and the API's limit
    text = ("Quel est le préavis pour quitter mon logement ? " * 50)[:length]
    conversation = str(uuid.uuid4())

    # when it is posted
    response = chat(_message_event(conversation, text))

    # then it is answered, and both turns are stored
    assert response["statusCode"] == 200
    assert _sse_kinds(response["body"])[-1] == "done"
    turns = chat_wiring.services().store.all_turns(conversation)
    assert [turn.role for turn in turns] == ["user", "assistant"]


def test_one_character_over_the_limit_is_a_413_that_stores_nothing(chat: Any) -> None:
    conversation = str(uuid.uuid4())

    response = chat(_message_event(conversation, "a" * (MAX_MESSAGE_CHARS + 1)))

    assert response["statusCode"] == 413
    assert chat_wiring.services().store.get_meta(conversation) is None
