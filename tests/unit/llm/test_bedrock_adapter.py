"""The Bedrock adapter builds Converse requests and reads Converse responses (botocore Stubber)."""

from __future__ import annotations

import asyncio

import boto3
import pytest
from botocore.stub import Stubber

from pierre_rag.llm import ChatMessage, LlmError, LlmUnavailableError
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
