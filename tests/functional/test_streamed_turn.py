"""The chat turn streamed through the local stack as CloudFront and the Function URL serve it
(issue #18): the first words reach the client while the model is still writing, and the
checks of the buffered route (staff, rate limits, idempotency) hold on the streamed one."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chat_api.services import ChatLimits
from pierre_rag.storage.items import to_item
from tests.fakes.openai_server import FakeOpenAI, Reply, TokenGate, understanding_then
from tests.functional.conftest import FIXTURE_KB, LANDLORD
from tests.stack import (
    RunningStack,
    landlords_answering_with,
    running_stack,
    signed_json_headers,
)

ANSWER = "Le préavis se donne par lettre recommandée à votre bailleur, un mois avant [1]."


@dataclass
class Streamed:
    stack: RunningStack
    llm: FakeOpenAI


@pytest.fixture(scope="module")
def streamed(
    tmp_path_factory: pytest.TempPathFactory, fixture_datastore: Path, dynamodb_local: str
) -> Iterator[Streamed]:
    with FakeOpenAI() as llm:
        llm.responder = understanding_then(Reply(ANSWER))
        folder = tmp_path_factory.mktemp("streamed") / "landlords"
        env = {
            "PIERRE_DATASTORE": str(fixture_datastore),
            "PIERRE_LANDLORDS_DIR": str(
                landlords_answering_with(FIXTURE_KB, LANDLORD, llm.base_url, folder)
            ),
        }
        state = tmp_path_factory.mktemp("streamed-state")
        with running_stack(state, dynamodb=dynamodb_local, env=env) as stack:
            yield Streamed(stack, llm)


def post_message(
    stack: RunningStack,
    text: str,
    *,
    conversation: str | None = None,
    message_id: str | None = None,
    context: str = "default",
    signed: bool = True,
) -> http.client.HTTPResponse:
    """POST a turn as the chat page does, its body's hash in ``x-amz-content-sha256``."""
    body = json.dumps(
        {
            "landlord": LANDLORD,
            "context": context,
            "message_id": message_id or str(uuid.uuid4()),
            "text": text,
        }
    ).encode()
    headers = {**signed_json_headers(body), "accept": "text/event-stream"}
    if not signed:
        del headers["x-amz-content-sha256"]
    host = stack.url.removeprefix("http://")
    connection = http.client.HTTPConnection(host, timeout=60)
    path = f"/api/conversations/{conversation or uuid.uuid4()}/messages"
    connection.request("POST", path, body=body, headers=headers)
    return connection.getresponse()


def next_event(response: http.client.HTTPResponse) -> tuple[str, dict[str, Any]]:
    """The next server-sent event, read as it arrives (the body may still be open)."""
    kind, data = "message", ""
    while True:
        line = response.readline().decode()
        if not line:
            raise AssertionError("the stream ended before the next event")
        line = line.rstrip("\n")
        if not line and data:
            return kind, json.loads(data)
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            data += line[6:]


def all_events(response: http.client.HTTPResponse) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    while not events or events[-1][0] not in ("done", "error"):
        events.append(next_event(response))
    return events


def test_the_first_words_reach_the_client_before_the_model_sends_its_last_token(streamed):
    # Given a model that streams its answer and holds the last token until released
    gate = TokenGate(timeout_s=20)
    streamed.llm.responder = understanding_then(Reply(ANSWER, chunk_size=6, gate=gate))

    try:
        # When a tenant asks, and the client reads the stream as it comes
        response = post_message(streamed.stack, "Comment donner mon préavis ?")
        assert response.status == 200
        assert response.getheader("transfer-encoding") == "chunked"
        kind, first = next_event(response)

        # Then the first words arrived while the model still holds its last token (its
        # stream still open: a buffered route could only answer once it had closed)
        assert kind == "delta" and first["text"]
        assert gate.holding.is_set()
        assert not gate.last_sent.is_set() and not gate.closed.is_set()
    finally:
        gate.release.set()

    # And once released, the rest of the answer follows and the turn ends
    rest = all_events(response)
    text = first["text"] + "".join(data["text"] for kind, data in rest if kind == "delta")
    assert rest[-1][0] == "done" and rest[-1][1]["outcome"] == "answered"
    assert text.startswith(ANSWER.split("[")[0].strip()[:20])
    assert gate.last_sent.is_set()


def test_a_post_without_its_body_hash_is_refused_as_the_function_url_would(streamed):
    # Given a turn sent without x-amz-content-sha256 (CloudFront's OAC cannot sign it)
    # When it is posted
    response = post_message(streamed.stack, "Comment donner mon préavis ?", signed=False)

    # Then it is refused before reaching the function
    assert response.status == 403


def test_a_protected_context_is_refused_without_a_staff_session_on_the_streamed_route(streamed):
    # Given no staff cookie
    # When a turn is posted in the landlord's protected context
    response = post_message(streamed.stack, "Quelle est la procédure ?", context="staff")

    # Then the staff check refuses it, as on the buffered route
    assert response.status == 401
    assert "personnel" in json.loads(response.read())["detail"]


def test_a_retried_message_is_replayed_not_answered_twice_on_the_streamed_route(streamed):
    # Given a turn answered once
    streamed.llm.responder = understanding_then(Reply(ANSWER))
    conversation, message_id = str(uuid.uuid4()), str(uuid.uuid4())
    first = all_events(
        post_message(
            streamed.stack,
            "Comment donner mon préavis ?",
            conversation=conversation,
            message_id=message_id,
        )
    )
    calls = len(streamed.llm.requests)

    # When the page retries the same message
    again = all_events(
        post_message(
            streamed.stack,
            "Comment donner mon préavis ?",
            conversation=conversation,
            message_id=message_id,
        )
    )

    # Then the stored answer is replayed, without a new call to the model
    assert first[-1][1]["replayed"] is False
    assert again[-1][1]["replayed"] is True
    assert len(streamed.llm.requests) == calls


def test_a_conversation_past_its_rate_limit_gets_429_on_the_streamed_route(streamed):
    # Given a conversation whose turn counter is at its limit, written as the limiter writes
    # it for this window and the next: the stack runs on the real clock, and its fixed
    # windows roll over every 5 minutes (20 turns posted one by one once crossed a roll-over,
    # which reset the counter and let the 21st through)
    limit = ChatLimits().per_conversation
    conversation = str(uuid.uuid4())
    dynamodb = streamed.stack.client("dynamodb")
    started = int(time.time())
    for now in (started, started + limit.window_s):
        counter = {
            "pk": limit.counter_key(conversation, now),
            "hits": limit.max_hits,
            "expires_at": limit.window_end(now) + 60,
        }
        dynamodb.put_item(TableName=streamed.stack.table("RateLimitsTable"), Item=to_item(counter))
    calls = len(streamed.llm.requests)

    # When it sends one more turn
    response = post_message(streamed.stack, "Encore une ?", conversation=conversation)

    # Then the limiter refuses it with a delay to wait, and the model is not asked
    assert response.status == 429
    assert 0 < int(response.getheader("retry-after") or 0) <= limit.window_s
    assert len(streamed.llm.requests) == calls
