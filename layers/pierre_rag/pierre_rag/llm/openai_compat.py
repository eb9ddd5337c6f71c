"""Any OpenAI-compatible chat endpoint: OpenAI, Mistral, Scaleway, OVHcloud, Groq, Ollama, vLLM.

Spoken directly over HTTP (``httpx2``): one ``POST {base_url}/chat/completions``, its answer
as JSON or as server-sent events. The ``openai`` SDK did the same at the price of 16 MB of
layer and ~0.35 s of cold start (it imports its types for every API it knows), for two calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

import httpx2

from pierre_rag.llm.port import ChatMessage, Completion, StreamChunk, Usage
from pierre_rag.llm.wire import (
    OPENAI_BASE_URL,
    answer_object,
    bearer_headers,
    check_status,
    endpoint,
    transport_error,
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
            check_status(response.status_code, response.content)
            answer = answer_object(response.content)
        except httpx2.HTTPError as error:
            raise transport_error(error) from error
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
                    check_status(response.status_code, await response.aread())
                async for event in httpx2.EventSource(response):
                    if not event.data.strip():
                        continue
                    if event.data.strip() == _END_OF_STREAM:
                        break
                    chunk = answer_object(event.data.encode())
                    model = str(chunk.get("model") or model)
                    if chunk.get("usage"):
                        usage = _usage(chunk["usage"])
                    for choice in _choices(chunk):
                        finish_reason = choice.get("finish_reason") or finish_reason
                        delta = choice.get("delta")
                        if isinstance(delta, Mapping) and delta.get("content"):
                            yield StreamChunk(delta=str(delta["content"]))
        except httpx2.HTTPError as error:
            raise transport_error(error) from error
        yield StreamChunk(usage=usage, model=model, finish_reason=finish_reason)


def _choices(answer: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    choices = answer.get("choices")
    if isinstance(choices, list):
        yield from (choice for choice in choices if isinstance(choice, Mapping))


def _usage(usage: Any) -> Usage:
    if not isinstance(usage, Mapping):
        return Usage()
    return Usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))
