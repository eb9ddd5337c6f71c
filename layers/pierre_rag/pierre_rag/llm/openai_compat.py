"""Any OpenAI-compatible chat endpoint: OpenAI, Mistral, Scaleway, OVHcloud, Groq, Ollama, vLLM.

Spoken directly over HTTP (``httpx2``): one ``POST {base_url}/chat/completions``, its answer
as JSON or as server-sent events. The ``openai`` SDK did the same at the price of 16 MB of
layer and ~0.35 s of cold start (it imports its types for every API it knows), for two calls.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

import httpx2

from pierre_rag.llm.port import (
    ChatMessage,
    Completion,
    LlmError,
    LlmTimeoutError,
    LlmUnavailableError,
    StreamChunk,
    Usage,
)
from pierre_rag.llm.wire import (
    OPENAI_BASE_URL,
    bearer_headers,
    endpoint,
    error_of_status,
    provider_message,
)

_END_OF_STREAM = "[DONE]"


class OpenAICompatibleClient:
    def __init__(
        self, model: str, api_key: str, base_url: str | None = None, timeout_s: float = 20.0
    ) -> None:
        self.model = model
        self._url = endpoint(base_url or OPENAI_BASE_URL, "chat/completions")
        self._headers = bearer_headers(api_key)
        self._timeout = httpx2.Timeout(timeout_s)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._async_client: httpx2.AsyncClient | None = None

    @property
    def _client(self) -> httpx2.AsyncClient:
        """One HTTP client per event loop: its connection pool is bound to the loop that made
        it (the SQS worker runs each batch in a fresh loop; the chat function reuses one).
        Retries are ours (``pierre_rag.llm.resilience``), none happen behind our back."""
        loop = asyncio.get_running_loop()
        if self._async_client is None or self._loop is not loop:
            self._async_client = httpx2.AsyncClient(headers=self._headers, timeout=self._timeout)
            self._loop = loop
        return self._async_client

    @property
    def name(self) -> str:
        return f"openai:{self.model}"

    def _body(
        self, messages: Sequence[ChatMessage], max_tokens: int, temperature: float
    ) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
        }

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        json_object: bool = False,
    ) -> Completion:
        body = self._body(messages, max_tokens, temperature)
        if json_object:
            body["response_format"] = {"type": "json_object"}
        try:
            response = await self._client.post(self._url, json=body)
            if response.status_code >= 400:
                raise error_of_status(response.status_code, provider_message(response.content))
            answer = _answer_object(response.content)
        except httpx2.HTTPError as error:
            raise _translate(error) from error
        choice = next(_choices(answer), {})
        message = choice.get("message")
        return Completion(
            text=str(message.get("content") or "") if isinstance(message, Mapping) else "",
            model=str(answer.get("model") or self.model),
            usage=_usage(answer.get("usage")),
            finish_reason=choice.get("finish_reason"),
        )

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
    ) -> AsyncIterator[StreamChunk]:
        body = self._body(messages, max_tokens, temperature)
        body |= {"stream": True, "stream_options": {"include_usage": True}}
        usage = Usage()
        model = self.model
        finish_reason: str | None = None
        try:
            async with self._client.stream("POST", self._url, json=body) as response:
                if response.status_code >= 400:
                    content = await response.aread()
                    raise error_of_status(response.status_code, provider_message(content))
                async for event in httpx2.EventSource(response):
                    if not event.data.strip():
                        continue
                    if event.data.strip() == _END_OF_STREAM:
                        break
                    chunk = _answer_object(event.data.encode())
                    model = str(chunk.get("model") or model)
                    if chunk.get("usage"):
                        usage = _usage(chunk["usage"])
                    for choice in _choices(chunk):
                        finish_reason = choice.get("finish_reason") or finish_reason
                        delta = choice.get("delta")
                        if isinstance(delta, Mapping) and delta.get("content"):
                            yield StreamChunk(delta=str(delta["content"]))
        except httpx2.HTTPError as error:
            raise _translate(error) from error
        yield StreamChunk(usage=usage, model=model, finish_reason=finish_reason)


def _translate(error: httpx2.HTTPError) -> LlmError:
    if isinstance(error, httpx2.TimeoutException):
        return LlmTimeoutError(f"provider timed out: {error!r}")
    return LlmUnavailableError(f"provider unavailable: {error!r}")


def _answer_object(content: bytes) -> dict[str, Any]:
    """The JSON object a provider sent as its answer (or as one event of it). A body that is
    no JSON object, or that holds an error (some providers fail with status 200, or with an
    event in the middle of a stream), is the provider's failure."""
    try:
        parsed = json.loads(content)
    except ValueError as error:
        raise LlmUnavailableError(f"provider sent no JSON: {content[:200]!r}") from error
    if not isinstance(parsed, dict):
        raise LlmUnavailableError(f"provider sent no JSON object: {content[:200]!r}")
    if parsed.get("error"):
        raise LlmUnavailableError(f"provider failed: {provider_message(content)}")
    return parsed


def _choices(answer: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    choices = answer.get("choices")
    if isinstance(choices, list):
        yield from (choice for choice in choices if isinstance(choice, Mapping))


def _usage(usage: Any) -> Usage:
    if not isinstance(usage, Mapping):
        return Usage()
    return Usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))
