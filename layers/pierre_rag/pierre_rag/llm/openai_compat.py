"""Any OpenAI-compatible chat endpoint: OpenAI, Mistral, Scaleway, OVHcloud, Groq, Ollama, vLLM."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import openai
from openai import AsyncOpenAI

from pierre_rag.llm.port import (
    ChatMessage,
    Completion,
    LlmError,
    LlmTimeoutError,
    LlmUnavailableError,
    StreamChunk,
    Usage,
)


def _translate(error: Exception) -> LlmError:
    if isinstance(error, openai.APITimeoutError):
        return LlmTimeoutError(f"provider timed out: {error}")
    if isinstance(
        error, openai.APIConnectionError | openai.RateLimitError | openai.InternalServerError
    ):
        return LlmUnavailableError(f"provider unavailable: {error}")
    if isinstance(error, openai.APIStatusError) and error.status_code >= 500:
        return LlmUnavailableError(f"provider error {error.status_code}")
    return LlmError(f"provider refused the request: {error}")


class OpenAICompatibleClient:
    def __init__(
        self, model: str, api_key: str, base_url: str | None = None, timeout_s: float = 20.0
    ) -> None:
        self.model = model
        self._settings: dict[str, Any] = {
            "api_key": api_key,
            "base_url": base_url,
            "timeout": timeout_s,
            # Retries are ours (pierre_rag.llm.resilience): the SDK must not retry behind our back.
            "max_retries": 0,
        }
        self._loop: asyncio.AbstractEventLoop | None = None
        self._async_client: AsyncOpenAI | None = None

    @property
    def _client(self) -> AsyncOpenAI:
        """One SDK client per event loop: its connection pool is bound to the loop that made it
        (the SQS worker runs each batch in a fresh loop; the chat function reuses one)."""
        loop = asyncio.get_running_loop()
        if self._async_client is None or self._loop is not loop:
            self._async_client = AsyncOpenAI(**self._settings)
            self._loop = loop
        return self._async_client

    @property
    def name(self) -> str:
        return f"openai:{self.model}"

    @staticmethod
    def _messages(messages: Sequence[ChatMessage]) -> list[Any]:
        return [{"role": m.role, "content": m.content} for m in messages]

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        json_object: bool = False,
    ) -> Completion:
        extra: dict[str, Any] = {"response_format": {"type": "json_object"}} if json_object else {}
        try:
            response = await self._client.chat.completions.create(
                model=self.model,
                messages=self._messages(messages),
                max_tokens=max_tokens,
                temperature=temperature,
                **extra,
            )
        except openai.OpenAIError as error:
            raise _translate(error) from error
        usage = response.usage
        choice = response.choices[0] if response.choices else None
        return Completion(
            text=(choice.message.content or "") if choice else "",
            model=response.model or self.model,
            usage=Usage(
                usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0
            ),
            finish_reason=choice.finish_reason if choice else None,
        )

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
    ) -> AsyncIterator[StreamChunk]:
        usage = Usage()
        model = self.model
        finish_reason: str | None = None
        try:
            events = await self._client.chat.completions.create(
                model=self.model,
                messages=self._messages(messages),
                max_tokens=max_tokens,
                temperature=temperature,
                stream=True,
                stream_options={"include_usage": True},
            )
            async for event in events:
                model = event.model or model
                if event.usage:
                    usage = Usage(event.usage.prompt_tokens, event.usage.completion_tokens)
                for choice in event.choices:
                    finish_reason = choice.finish_reason or finish_reason
                    if choice.delta and choice.delta.content:
                        yield StreamChunk(delta=choice.delta.content)
        except openai.OpenAIError as error:
            raise _translate(error) from error
        yield StreamChunk(usage=usage, model=model, finish_reason=finish_reason)
