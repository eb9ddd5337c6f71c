"""Multi-turn conversations with an OpenAI-compatible server in the loop: the chat function
(streamed Server-Sent Events) and the SMS worker, as deployed, over the real wire format.

Each test runs against the fake server of ``tests/fakes`` and, under ``make test-llm``
(``PIERRE_TEST_LLM_URL`` set; marker ``real_llm``), against llama-cpp-python's server serving
Gemma 3 270M. Answer quality from so small a model is not the point: JSON mode, streaming,
timeouts and fallbacks must behave the same. The fake server answers as that model was seen
to: some turns end their stream with no text, or blank lines, or a ``content_filter`` finish.
Against either, no turn is ever stored or shown as an empty answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import chat_wiring
import sms_webhook_handler
import sms_worker_handler
from pierre_rag.llm import ChatMessage, LlmTimeoutError
from pierre_rag.llm.openai_compat import OpenAICompatibleClient
from pierre_rag.pipeline.prompts import understanding_messages
from tests.fakes.openai_server import Behaviour, FakeOpenAI, Reply, Stall
from tests.functional.conftest import FIXTURE_KB, LANDLORD
from tests.helpers import load_event
from tests.unit.sms.support import cm_body, queued_bodies, setup_aws, sqs_event, webhook_event

# What the small model was seen to do, turn after turn: answer, nothing, blanks, a filter stop.
SMALL_MODEL_TURNS: list[Behaviour] = [
    Reply("Votre chaudière est entretenue chaque année [1]."),
    Reply(""),
    Reply("\n\n  \n", chunk_size=1),
    Reply("", finish_reason="content_filter"),
]
EXPECTED_MODES = ["llm", "extractive", "extractive", "extractive"]
CONVERSATION = [
    "ma chaudière est en panne, qui paie la réparation de la chaudière ?",
    "Il y a une odeur de gaz dans ma cuisine, que faire ?",
    "j'ai un chien, les animaux sont autorisés dans le logement ?",
    # a new subject: a follow-up on pets would find the section just quoted, and nothing new
    # to quote is a fixed reply, where this turn is the filter stop's fallback to excerpts
    "comment envoyer mon congé quand je quitte le logement ?",
]


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    model: str
    fake: FakeOpenAI | None  # None: a real server

    def client(self, timeout_s: float = 60.0) -> OpenAICompatibleClient:
        return OpenAICompatibleClient(self.model, "not-needed", self.base_url, timeout_s)

    def serving(self) -> bool:
        """The server still lists its model (it did not die on the way: then every turn would
        have been answered with excerpts, and a test of the fallbacks would pass for nothing)."""
        with urllib.request.urlopen(f"{self.base_url}/models", timeout=10) as response:
            return bool(json.load(response)["data"])


def _is_understanding(request: dict[str, Any]) -> bool:
    return bool(request.get("response_format") == {"type": "json_object"})


def _understood(request: dict[str, Any]) -> Reply:
    """A valid understanding of the request's message: French, in scope, searched as is."""
    message = json.loads(request["messages"][-1]["content"])["message"]
    return Reply(
        json.dumps(
            {
                "language": "fr",
                "in_scope": True,
                "abusive": False,
                "standalone_question": message,
                "search_queries": [message],
            },
            ensure_ascii=False,
        )
    )


def small_model(generations: list[Behaviour]) -> Any:
    """The fake's responder: JSON understandings, then ``generations`` in turn (the last
    repeated)."""
    queue = list(generations)

    def respond(request: dict[str, Any]) -> Behaviour:
        if _is_understanding(request):
            return _understood(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return respond


@pytest.fixture(params=["fake", pytest.param("real", marks=pytest.mark.real_llm)])
def endpoint(request: pytest.FixtureRequest) -> Iterator[Endpoint]:
    if request.param == "real":
        url = os.environ.get("PIERRE_TEST_LLM_URL")
        if not url:
            pytest.skip("no real LLM server: make test-llm sets PIERRE_TEST_LLM_URL")
        yield Endpoint(url, os.environ.get("PIERRE_TEST_LLM_MODEL", "local"), None)
        return
    with FakeOpenAI() as fake:
        fake.responder = small_model(SMALL_MODEL_TURNS)
        yield Endpoint(fake.base_url, "gemma-3-270m", fake)


def _landlords_with_llm(tmp_path: Path, endpoint: Endpoint, timeout_s: float) -> Path:
    """The fixture landlords, the tested one answering with the endpoint's model."""
    landlords = tmp_path / "landlords"
    shutil.copytree(FIXTURE_KB, landlords)
    landlord_file = landlords / LANDLORD / "landlord.yaml"
    config = yaml.safe_load(landlord_file.read_text(encoding="utf-8"))
    config["llm"] = {
        "provider": "openai",
        "model": endpoint.model,
        "base_url": endpoint.base_url,
        "timeout_s": timeout_s,
    }
    landlord_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return landlords


def _serve_with_llm(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, endpoint: Endpoint, timeout_s: float = 60.0
) -> None:
    monkeypatch.delenv("PIERRE_LLM", raising=False)
    monkeypatch.setenv(
        "PIERRE_LANDLORDS_DIR", str(_landlords_with_llm(tmp_path, endpoint, timeout_s))
    )


# --------------------------------------------------------------------------- the wire


def test_json_mode_gives_a_json_object(endpoint):
    # Given the understanding prompt of a tenant's message
    messages = understanding_messages([], CONVERSATION[0])

    # When it is sent in JSON mode, as the pipeline does
    completion = asyncio.run(
        endpoint.client().complete(messages, max_tokens=300, temperature=0.0, json_object=True)
    )

    # Then, unless the model ran out of tokens, the text is one JSON object
    assert completion.finish_reason is not None
    if completion.finish_reason != "length":
        assert isinstance(json.loads(completion.text), dict)


def test_a_streamed_answer_ends_with_the_reason_it_stopped(endpoint):
    # Given a question (the fake streams the first answer of its script)
    messages = [
        ChatMessage("system", "Réponds en une phrase, en français."),
        ChatMessage("user", CONVERSATION[0]),
    ]

    # When the answer is streamed
    async def collect() -> list[Any]:
        return [c async for c in endpoint.client().stream(messages, max_tokens=40)]

    chunks = asyncio.run(collect())

    # Then text deltas come first, and only the last chunk says why the model stopped
    assert chunks[-1].finish_reason in ("stop", "length")
    assert all(chunk.finish_reason is None for chunk in chunks[:-1])
    assert all(chunk.usage is None for chunk in chunks[:-1])


def test_a_provider_slower_than_its_timeout_times_out(endpoint):
    # Given a provider slower than the client's timeout (the fake stalls; a real model cannot
    # read the prompt in 10 ms)
    if endpoint.fake is not None:
        endpoint.fake.responder = lambda request: Stall(1.0)

    # When a completion is asked
    # Then it times out
    with pytest.raises(LlmTimeoutError):
        asyncio.run(
            endpoint.client(timeout_s=0.01).complete(
                understanding_messages([], CONVERSATION[0]), max_tokens=300
            )
        )


# --------------------------------------------------------------------------- web conversations


def _ask(chat: Any, text: str) -> tuple[str, dict[str, Any]]:
    """One message of the web conversation: its streamed answer and the done event's data."""
    event = load_event("chat_post_message")
    body = json.loads(event["body"])
    body.update(text=text, message_id=str(uuid.uuid4()))
    event["body"] = json.dumps(body)
    response = chat(event)
    assert response["statusCode"] == 200
    frames = []
    for block in response["body"].strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        frames.append((lines["event"], json.loads(lines["data"])))
    assert frames[-1][0] == "done", frames[-1]
    answer = "".join(data["text"] for kind, data in frames if kind == "delta")
    return answer, frames[-1][1]


def _stored_answers() -> list[str]:
    store = chat_wiring.services().store
    conversation = load_event("chat_post_message")["rawPath"].split("/")[3]
    return [t.content for t in store.last_turns(conversation, 20) if t.role == "assistant"]


def test_a_web_conversation_never_shows_or_stores_an_empty_answer(
    endpoint, chat, monkeypatch, tmp_path
):
    # Given a landlord answering with the endpoint's model
    _serve_with_llm(monkeypatch, tmp_path, endpoint)

    # When a tenant asks four questions in one conversation
    turns = [_ask(chat, text) for text in CONVERSATION]

    # Then every answer has words, and the stored answers are the ones shown
    answers = [answer for answer, _ in turns]
    assert all(answer.strip() for answer in answers)
    assert _stored_answers() == answers
    modes = [done["mode"] for _, done in turns]
    assert set(modes) <= {"llm", "extractive", "fixed"}
    assert endpoint.serving()
    # and against the fake, a turn whose stream had no text was answered with excerpts
    if endpoint.fake is not None:
        assert modes == EXPECTED_MODES
        assert all(done["outcome"] == "answered" for _, done in turns)


def test_a_timed_out_model_gets_excerpts_on_the_web(endpoint, chat, monkeypatch, tmp_path):
    # Given a landlord whose model is slower than its timeout
    if endpoint.fake is not None:
        endpoint.fake.responder = lambda request: Stall(1.0)
    _serve_with_llm(monkeypatch, tmp_path, endpoint, timeout_s=0.01)

    # When a tenant asks a question
    answer, done = _ask(chat, CONVERSATION[0])

    # Then the sections found are quoted instead, as an answer
    assert (done["mode"], done["outcome"]) == ("extractive", "answered")
    assert answer.strip()


# --------------------------------------------------------------------------- SMS conversations


def test_an_sms_conversation_never_sends_an_empty_answer(
    endpoint, dynamodb, fixture_datastore, cm, monkeypatch, tmp_path, lambda_context
):
    # Given a landlord answering SMS with the endpoint's model
    monkeypatch.setenv("PIERRE_DATASTORE", str(fixture_datastore))
    sqs = setup_aws(monkeypatch, cm_url=cm.url)
    _serve_with_llm(monkeypatch, tmp_path, endpoint)
    queue_url = sqs.get_queue_url(QueueName="pierre-local-SmsQueue")["QueueUrl"]

    # When one phone sends the four questions, a minute apart, each answered before the next
    replies = []
    for minute, text in enumerate(CONVERSATION):
        body = cm_body(reference=f"llm-{minute}", timeUtc=f"2026-11-25T14:0{minute}:00")
        body["message"]["text"] = text
        assert sms_webhook_handler.handler(webhook_event(body), lambda_context)["statusCode"] == 200
        sent_before = len(cm.sent)
        response = sms_worker_handler.handler(
            sqs_event(*queued_bodies(sqs, queue_url)), lambda_context
        )
        assert response["batchItemFailures"] == []
        replies.append(" ".join(s.content for s in cm.sent[sent_before:]))

    # Then every question got an SMS with words in it
    assert len(replies) == len(CONVERSATION)
    assert all(reply.strip() for reply in replies)
    assert endpoint.serving()
