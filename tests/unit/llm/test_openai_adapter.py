"""The OpenAI-compatible adapter against a fake server speaking the real wire format."""

from __future__ import annotations

import asyncio

import pytest

from pierre_rag.llm import ChatMessage, LlmError, LlmTimeoutError, LlmUnavailableError, StreamChunk
from pierre_rag.llm.openai_compat import OpenAICompatibleClient
from pierre_rag.llm.resilience import ResilientClient
from tests.fakes.openai_server import BreakOff, Fail, FakeOpenAI, Garbage, Reply, Stall

MESSAGES = [ChatMessage("system", "Tu es un assistant."), ChatMessage("user", "Bonjour")]


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


def _client(
    fake: FakeOpenAI, model: str = "gpt-test", timeout_s: float = 5
) -> OpenAICompatibleClient:
    return OpenAICompatibleClient(model, "sk-test", base_url=fake.base_url, timeout_s=timeout_s)


async def _collect(stream) -> tuple[str, list[StreamChunk]]:
    chunks = [chunk async for chunk in stream]
    return "".join(c.delta for c in chunks), chunks


def test_complete_returns_text_model_and_usage(fake):
    fake.script(Reply('{"ok": true}', prompt_tokens=12, completion_tokens=3))

    completion = asyncio.run(_client(fake).complete(MESSAGES, max_tokens=50, json_object=True))

    assert completion.text == '{"ok": true}'
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (12, 3)
    request = fake.requests[0]
    assert request["response_format"] == {"type": "json_object"}
    assert request["messages"][0] == {"role": "system", "content": "Tu es un assistant."}
    assert request["_headers"]["authorization"] == "Bearer sk-test"


def test_stream_yields_deltas_then_usage(fake):
    fake.script(Reply("Le préavis est de trois mois.", chunk_size=5))

    text, chunks = asyncio.run(_collect(_client(fake).stream(MESSAGES, max_tokens=50)))

    assert text == "Le préavis est de trois mois."
    assert len(chunks) > 3
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 6
    assert fake.requests[0]["stream_options"] == {"include_usage": True}


def test_server_errors_are_retryable_and_client_errors_are_not(fake):
    fake.script(Fail(503))
    with pytest.raises(LlmUnavailableError):
        asyncio.run(_client(fake).complete(MESSAGES, max_tokens=5))

    fake.script(Fail(400, "bad request"))
    with pytest.raises(LlmError) as raised:
        asyncio.run(_client(fake).complete(MESSAGES, max_tokens=5))
    assert not raised.value.retryable


def test_a_refusal_carries_the_providers_own_reason(fake):
    fake.script(Fail(401, "Incorrect API key provided"))

    with pytest.raises(LlmError, match=r"\(401\): Incorrect API key provided"):
        asyncio.run(_client(fake).complete(MESSAGES, max_tokens=5))


def test_a_base_url_with_a_trailing_slash_reaches_the_same_endpoint(fake):
    client = OpenAICompatibleClient("gpt-test", "sk-test", base_url=fake.base_url + "/")

    completion = asyncio.run(client.complete(MESSAGES, max_tokens=5))

    assert completion.text == "Réponse de test."


@pytest.mark.parametrize("stream", [False, True])
def test_a_body_that_is_not_json_is_the_providers_failure(fake, stream):
    # Given a proxy in front of the model that answers with an error page and status 200
    fake.script(Garbage())
    client = _client(fake)

    # When a completion is asked, then it is a failure the fallback model may take over
    with pytest.raises(LlmUnavailableError):
        if stream:
            asyncio.run(_collect(client.stream(MESSAGES, max_tokens=5)))
        else:
            asyncio.run(client.complete(MESSAGES, max_tokens=5))


def test_a_provider_failing_mid_stream_is_an_error_not_a_short_answer(fake):
    # Given a provider that streams a few words, then an error event instead of the end
    fake.script(BreakOff("Le préavis est", "the model crashed"))

    # When the answer is streamed, then the words came, then the failure, with its reason
    received = []

    async def read() -> None:
        async for chunk in _client(fake).stream(MESSAGES, max_tokens=50):
            received.append(chunk.delta)

    with pytest.raises(LlmUnavailableError, match="the model crashed"):
        asyncio.run(read())
    assert "".join(received) == "Le préavis est"


def test_an_error_sent_with_status_200_is_a_failure_not_an_empty_answer(fake):
    fake.script(BreakOff("", "overloaded"))

    with pytest.raises(LlmUnavailableError, match="overloaded"):
        asyncio.run(_client(fake).complete(MESSAGES, max_tokens=5))


def test_a_stalled_provider_times_out(fake):
    fake.script(Stall(2))

    with pytest.raises(LlmTimeoutError):
        asyncio.run(_client(fake, timeout_s=0.3).complete(MESSAGES, max_tokens=5))


def test_resilient_client_retries_then_falls_back_to_the_second_model(fake):
    fake.responder = lambda request: (
        Fail(500) if request["model"] == "primary" else Reply("secours")
    )
    client = ResilientClient(
        [_client(fake, "primary"), _client(fake, "fallback")], attempts=2, base_delay_s=0.01
    )

    completion = asyncio.run(client.complete(MESSAGES, max_tokens=5))

    assert completion.text == "secours"
    assert [r["model"] for r in fake.requests] == ["primary", "primary", "fallback"]


def test_resilient_stream_falls_back_before_any_delta(fake):
    fake.responder = lambda request: (
        Stall(1) if request["model"] == "primary" else Reply("réponse du secours")
    )
    client = ResilientClient(
        [_client(fake, "primary", timeout_s=0.2), _client(fake, "fallback")],
        attempts=1,
        base_delay_s=0.01,
    )

    text, _ = asyncio.run(_collect(client.stream(MESSAGES, max_tokens=5)))

    assert text == "réponse du secours"


def test_resilient_client_gives_up_with_the_last_error(fake):
    fake.script(Fail(500))
    client = ResilientClient([_client(fake)], attempts=3, base_delay_s=0.01)

    with pytest.raises(LlmUnavailableError):
        asyncio.run(client.complete(MESSAGES, max_tokens=5))
    assert len(fake.requests) == 3


@pytest.mark.parametrize("finish_reason", ["stop", "length", "content_filter"])
def test_stream_and_completion_say_why_the_model_stopped(fake, finish_reason):
    # Given a provider ending its answer for that reason
    fake.script(Reply("Le préavis", finish_reason=finish_reason))

    # When the answer is streamed, then asked whole
    _, chunks = asyncio.run(_collect(_client(fake).stream(MESSAGES, max_tokens=50)))
    completion = asyncio.run(_client(fake).complete(MESSAGES, max_tokens=50))

    # Then both carry the reason: the stream on its last chunk
    assert chunks[-1].finish_reason == finish_reason
    assert completion.finish_reason == finish_reason


@pytest.mark.parametrize("text", ["", "\n\n  "])
def test_an_empty_or_blank_stream_arrives_as_it_was_sent(fake, text):
    # The adapter reports what the provider sent; deciding it is no answer is llm.usable's job
    fake.script(Reply(text, chunk_size=2))

    streamed, chunks = asyncio.run(_collect(_client(fake).stream(MESSAGES, max_tokens=50)))

    assert streamed == text
    assert chunks[-1].usage is not None and chunks[-1].finish_reason == "stop"
