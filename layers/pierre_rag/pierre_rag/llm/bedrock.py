"""Amazon Bedrock through the Converse API (boto3 is in the Lambda runtime)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from pierre_rag.llm.port import (
    CONTENT_FILTER,
    ChatMessage,
    Completion,
    LlmError,
    LlmTimeoutError,
    LlmUnavailableError,
    StreamChunk,
    Usage,
)

# Converse's stop reasons in the port's (OpenAI's) words; the others are kept as Bedrock says.
_FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "content_filtered": CONTENT_FILTER,
    "guardrail_intervened": CONTENT_FILTER,
}

_RETRYABLE_CODES = {
    "ThrottlingException",
    "ServiceUnavailableException",
    "InternalServerException",
    "ModelNotReadyException",
}


def _split(messages: Sequence[ChatMessage]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    system = [{"text": m.content} for m in messages if m.role == "system"]
    turns = [
        {"role": m.role, "content": [{"text": m.content}]} for m in messages if m.role != "system"
    ]
    return system, turns


def _finish_reason(stop_reason: str | None) -> str | None:
    return _FINISH_REASONS.get(stop_reason, stop_reason) if stop_reason else None


def _translate(error: Exception) -> LlmError:
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    if isinstance(error, ReadTimeoutError | ConnectTimeoutError):
        return LlmTimeoutError(f"Bedrock timed out: {error}")
    if isinstance(error, EndpointConnectionError):
        return LlmUnavailableError(f"Bedrock unreachable: {error}")
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in _RETRYABLE_CODES:
            return LlmUnavailableError(f"Bedrock {code}")
        return LlmError(f"Bedrock refused the request: {code}")
    return LlmError(f"Bedrock call failed: {error}")


class BedrockClient:
    def __init__(self, model: str, timeout_s: float = 20.0, client: Any = None) -> None:
        self.model = model
        if client is None:
            import boto3
            from botocore.config import Config

            client = boto3.client(
                "bedrock-runtime",
                config=Config(
                    read_timeout=timeout_s, connect_timeout=5, retries={"max_attempts": 1}
                ),
            )
        self._client = client

    @property
    def name(self) -> str:
        return f"bedrock:{self.model}"

    def _request(
        self, messages: Sequence[ChatMessage], max_tokens: int, temperature: float
    ) -> dict[str, Any]:
        system, turns = _split(messages)
        request: dict[str, Any] = {
            "modelId": self.model,
            "messages": turns,
            "inferenceConfig": {"maxTokens": max_tokens, "temperature": temperature},
        }
        if system:
            request["system"] = system
        return request

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        json_object: bool = False,
    ) -> Completion:
        request = self._request(messages, max_tokens, temperature)
        try:
            response = await asyncio.to_thread(self._client.converse, **request)
        except Exception as error:
            raise _translate(error) from error
        blocks = response.get("output", {}).get("message", {}).get("content", [])
        usage = response.get("usage", {})
        return Completion(
            text="".join(block.get("text", "") for block in blocks),
            model=self.model,
            usage=Usage(int(usage.get("inputTokens", 0)), int(usage.get("outputTokens", 0))),
            finish_reason=_finish_reason(response.get("stopReason")),
        )

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
    ) -> AsyncIterator[StreamChunk]:
        request = self._request(messages, max_tokens, temperature)
        try:
            response = await asyncio.to_thread(self._client.converse_stream, **request)
            events = iter(response["stream"])
            usage = Usage()
            stop_reason: str | None = None
            sentinel: dict[str, Any] = {}
            while (event := await asyncio.to_thread(next, events, sentinel)) is not sentinel:
                delta = event.get("contentBlockDelta", {}).get("delta", {}).get("text")
                if delta:
                    yield StreamChunk(delta=delta)
                stop_reason = event.get("messageStop", {}).get("stopReason") or stop_reason
                metadata = event.get("metadata", {}).get("usage")
                if metadata:
                    usage = Usage(
                        int(metadata.get("inputTokens", 0)), int(metadata.get("outputTokens", 0))
                    )
        except LlmError:
            raise
        except Exception as error:
            raise _translate(error) from error
        yield StreamChunk(usage=usage, model=self.model, finish_reason=_finish_reason(stop_reason))
