"""The chat function called with recorded HTTP API v2 events (Mangum path), moto behind it."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

import chat_wiring
from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.sessions import SessionCodec
from pierre_rag.auth.users import User
from pierre_rag.ratelimit import RateLimiter
from tests.functional.conftest import SESSION_SECRET, signed_in
from tests.helpers import FROZEN_FUTURE_S, load_event

CONVERSATION = "7d1f5f0e-3c2a-4b8e-9f61-2a4c6b8d0e13"


def _sse(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def _message(text: str | None = None, **body_changes) -> dict[str, Any]:
    event = load_event("chat_post_message")
    body = json.loads(event["body"])
    if text is not None:
        body["text"] = text
    body.update(body_changes)
    event["body"] = json.dumps(body)
    return event


def test_a_message_is_answered_as_server_sent_events(chat):
    response = chat(_message())

    assert response["statusCode"] == 200
    assert response["headers"]["content-type"].startswith("text/event-stream")
    events = _sse(response["body"])
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "delta" and kinds[-2:] == ["sources", "done"]
    assert events[-1][1]["outcome"] == "answered"
    sources = events[-2][1]["sources"]
    assert sources[0]["heading"] == "Ma chaudière ne fonctionne plus, qui appeler ?"
    assert "file" not in sources[0]  # internal paths are not exposed


def test_history_restores_the_conversation_after_a_reload(chat):
    chat(_message())

    response = chat(load_event("chat_get_history"))

    history = json.loads(response["body"])
    assert [t["role"] for t in history["turns"]] == ["user", "assistant"]
    assert history["turns"][1]["sources"][0]["heading"]


def test_feedback_is_recorded_as_the_customer_score(chat, runtime):
    chat(_message())

    response = chat(load_event("chat_post_feedback"))

    assert response["statusCode"] == 204
    meta = chat_wiring.services().store.get_meta(CONVERSATION)
    assert meta is not None
    assert (meta.customer_score, meta.customer_comment) == (1, "Merci, très clair")


def test_feedback_on_an_unknown_conversation_is_404(chat):
    assert chat(load_event("chat_post_feedback"))["statusCode"] == 404


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"text": "x" * 2001}, 413),
        ({"text": "   "}, 422),
        ({"message_id": "not-a-uuid"}, 422),
        ({"landlord": "inconnu.fr"}, 404),
        ({"context": "nope"}, 404),
        ({"unexpected": 1}, 422),
    ],
)
def test_bad_messages_get_clear_4xx_and_store_nothing(chat, change, status):
    response = chat(_message(**change))

    assert response["statusCode"] == status
    assert json.loads(response["body"])["detail"]
    assert chat_wiring.services().store.get_meta(CONVERSATION) is None


def test_a_bad_conversation_id_is_a_422_not_a_redirect(chat):
    event = _message()
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/conversations/abc/messages"

    response = chat(event)

    assert response["statusCode"] == 422


def test_protected_context_needs_a_staff_session(chat, runtime):
    refused = chat(_message(context="staff"))
    assert refused["statusCode"] == 401

    token, _ = signed_in(runtime)  # an account that chose its password
    event = _message(context="staff", text="qui est d'astreinte le week-end ?")
    event["cookies"] = [f"pierre_session={token}"]
    accepted = chat(event)
    assert accepted["statusCode"] == 200
    assert "4512" in accepted["body"]


def test_a_session_of_another_landlord_does_not_open_the_staff_context(chat):
    other = User("a@autre.fr", "autre-hlm.fr", StaffRole.ADMINISTRATOR, "", "hash")
    token, _ = SessionCodec(SESSION_SECRET).issue(other)
    event = _message(context="staff")
    event["cookies"] = [f"pierre_session={token}"]

    assert chat(event)["statusCode"] == 401


def test_foreign_origins_are_refused_and_declared_ones_get_cors(chat):
    foreign = _message()
    foreign["headers"]["origin"] = "https://evil.example"
    assert chat(foreign)["statusCode"] == 403

    declared = _message()
    declared["headers"]["origin"] = "http://localhost:3000"
    response = chat(declared)
    assert response["statusCode"] == 200
    assert response["headers"]["access-control-allow-origin"] == "http://localhost:3000"
    assert response["headers"]["vary"] == "Origin"


def test_every_response_carries_the_security_headers(chat):
    preflight = _message()
    preflight["requestContext"]["http"]["method"] = "OPTIONS"
    preflight["headers"]["origin"] = "http://localhost:3000"
    refused_preflight = _message()
    refused_preflight["requestContext"]["http"]["method"] = "OPTIONS"
    refused_preflight["headers"]["origin"] = "https://evil.example"

    responses = {
        "stream": chat(_message()),
        "json": chat(load_event("chat_get_config")),
        "preflight": chat(preflight),
        "refused preflight": chat(refused_preflight),
    }

    assert responses["stream"]["statusCode"] == 200
    assert responses["preflight"]["statusCode"] == 204
    assert responses["preflight"]["headers"]["access-control-allow-methods"] == "GET, POST, OPTIONS"
    assert responses["refused preflight"]["statusCode"] == 403
    assert "access-control-allow-origin" not in responses["refused preflight"]["headers"]
    for name, response in responses.items():
        headers = response["headers"]
        assert headers["x-content-type-options"] == "nosniff", name
        assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin", name


def test_rate_limit_per_conversation_answers_429_with_retry_after(chat):
    # Given a clock frozen 100 s before the end of a window (a real clock can roll the window
    # over mid-test and reset the counter)
    limits = chat_wiring.services().limits
    window = limits.per_conversation.window_s
    limiter = chat_wiring.services().limiter
    assert isinstance(limiter, RateLimiter)  # the clock is the DynamoDB one's
    limiter.clock = lambda: FROZEN_FUTURE_S // window * window + window - 100
    limit = limits.per_conversation.max_hits
    responses = [chat(_message(message_id=str(uuid.uuid4()))) for _ in range(limit + 1)]

    assert [r["statusCode"] for r in responses[:limit]] == [200] * limit
    refused = responses[-1]
    assert refused["statusCode"] == 429
    assert refused["headers"]["retry-after"] == "100"
    assert "Réessayez" in json.loads(refused["body"])["detail"]
    # the refused message was not stored: the history holds the accepted ones only
    history = json.loads(chat(load_event("chat_get_history"))["body"])
    assert len(history["turns"]) == 2 * limit


def test_a_retried_message_is_answered_once(chat):
    first = chat(_message())
    again = chat(_message())

    assert _sse(again["body"])[-1][1]["replayed"] is True
    assert _sse(first["body"])[0] == _sse(again["body"])[0]
    history = json.loads(chat(load_event("chat_get_history"))["body"])
    assert len(history["turns"]) == 2


def test_config_and_embed_page(chat):
    config = json.loads(chat(load_event("chat_get_config"))["body"])
    assert config["greeting"].startswith("Bonjour")
    assert config["protected"] is False

    page = chat(load_event("chat_get_embed"))
    assert page["statusCode"] == 200
    csp = page["headers"]["content-security-policy"]
    assert "frame-ancestors 'self' http://localhost:3000" in csp
    assert 'data-landlord="exemple-hlm.fr"' in page["body"]


def test_openapi_documents_the_routes(chat):
    event = load_event("chat_health")
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/openapi.json"

    schema = json.loads(chat(event)["body"])

    assert "/api/conversations/{conversation_id}/messages" in schema["paths"]


def _answer(chat, text: str) -> tuple[str, list[str]]:
    """Send one message of the conversation: its answer's text and its sources' titles."""
    events = _sse(chat(_message(text, message_id=str(uuid.uuid4())))["body"])
    answer = "".join(data["text"] for kind, data in events if kind == "delta")
    sources: list[dict[str, Any]] = next(
        (data["sources"] for kind, data in events if kind == "sources"), []
    )
    return answer, [source["title"] for source in sources]


def test_a_conversation_that_changes_subject_is_answered_on_each_subject(chat):
    # Given one web conversation: radiator, gas smell, dog, agency hours
    script = [
        (
            "ma chaudière est en panne et le radiateur reste froid, qui paie la réparation "
            "de la chaudière ?",
            "Chauffage et pannes",
        ),
        ("Il y a une odeur de gaz dans ma cuisine, que faire ?", "Sécurité gaz"),
        (
            "j'ai un gros chien et un chat dans mon logement, les animaux sont autorisés ?",
            "Animaux de compagnie",
        ),
        ("quels sont les horaires de l'agence ?", "Agence"),
    ]

    # When each message is sent in turn, then a follow-up on the last subject
    answers = [_answer(chat, text) for text, _ in script]
    follow_up, _ = _answer(chat, "et le samedi ?")

    # Then each answer's first source is that message's own subject, not the one before it
    for (_, titles), (_, subject) in zip(answers, script, strict=True):
        assert titles[0] == subject
    # and the follow-up, which finds the same section again, does not repeat the answer
    assert follow_up != answers[-1][0]
