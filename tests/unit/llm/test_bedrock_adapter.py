"""The Bedrock adapter builds Converse requests and reads Converse responses (botocore Stubber)."""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from pierre_rag.llm import ChatMessage, LlmError, LlmUnavailableError, StreamChunk
from pierre_rag.llm.bedrock import BedrockClient

MODEL = "mistral.mistral-large-2402-v1:0"
MESSAGES = [ChatMessage("system", "Persona"), ChatMessage("user", "Question ?")]


@pytest.fixture
def bedrock():
    client = boto3.client(
        "bedrock-runtime",
        region_name="eu-west-3",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    with Stubber(client) as stubber:
        yield client, stubber


def test_converse_request_and_response(bedrock):
    client, stubber = bedrock
    stubber.add_response(
        "converse",
        {
            "output": {"message": {"role": "assistant", "content": [{"text": "Réponse."}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 40, "outputTokens": 5, "totalTokens": 45},
            "metrics": {"latencyMs": 120},
        },
        {
            "modelId": MODEL,
            "system": [{"text": "Persona"}],
            "messages": [{"role": "user", "content": [{"text": "Question ?"}]}],
            "inferenceConfig": {"maxTokens": 100, "temperature": 0.2},
        },
    )

    completion = asyncio.run(BedrockClient(MODEL, client=client).complete(MESSAGES, max_tokens=100))

    assert completion.text == "Réponse."
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (40, 5)


def test_throttling_is_retryable_and_validation_is_not(bedrock):
    client, stubber = bedrock
    stubber.add_client_error(
        "converse", service_error_code="ThrottlingException", http_status_code=429
    )
    stubber.add_client_error(
        "converse", service_error_code="ValidationException", http_status_code=400
    )
    adapter = BedrockClient(MODEL, client=client)

    with pytest.raises(LlmUnavailableError):
        asyncio.run(adapter.complete(MESSAGES, max_tokens=10))
    with pytest.raises(LlmError) as raised:
        asyncio.run(adapter.complete(MESSAGES, max_tokens=10))
    assert not raised.value.retryable


@pytest.mark.parametrize(
    ("stop_reason", "finish_reason"),
    [
        ("end_turn", "stop"),
        ("max_tokens", "length"),
        ("content_filtered", "content_filter"),
        ("guardrail_intervened", "content_filter"),
    ],
)
def test_converse_stop_reasons_are_said_in_the_ports_words(bedrock, stop_reason, finish_reason):
    client, stubber = bedrock
    stubber.add_response(
        "converse",
        {
            "output": {"message": {"role": "assistant", "content": [{"text": "R"}]}},
            "stopReason": stop_reason,
            "usage": {"inputTokens": 4, "outputTokens": 1, "totalTokens": 5},
            "metrics": {"latencyMs": 10},
        },
    )

    completion = asyncio.run(BedrockClient(MODEL, client=client).complete(MESSAGES, max_tokens=9))

    assert completion.finish_reason == finish_reason


class _StreamingBedrock:
    """converse_stream's events, as boto3 iterates them (the Stubber cannot build a stream)."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events

    def converse_stream(self, **request: Any) -> dict[str, Any]:
        return {"stream": iter(self.events)}


def test_a_filtered_converse_stream_ends_with_the_content_filter_reason():
    # Given a Bedrock stream its guardrail stopped after one word
    events: list[dict[str, Any]] = [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"delta": {"text": "Je"}, "contentBlockIndex": 0}},
        {"messageStop": {"stopReason": "guardrail_intervened"}},
        {"metadata": {"usage": {"inputTokens": 40, "outputTokens": 1}}},
    ]

    # When it is read
    async def collect() -> list[StreamChunk]:
        adapter = BedrockClient(MODEL, client=_StreamingBedrock(events))
        return [chunk async for chunk in adapter.stream(MESSAGES, max_tokens=9)]

    chunks = asyncio.run(collect())

    # Then the word comes, then the last chunk with the usage and the reason in the port's words
    assert [c.delta for c in chunks] == ["Je", ""]
    assert chunks[-1].finish_reason == "content_filter"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 1
