"""Optional litellm adapter: ~186 MB and ~4 s of imports, so it ships in its own optional layer
and is imported only when a tenant asks for ``provider: litellm`` (docs/adr/0006)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from typing import Any

from pierre_rag.llm.port import (
    ChatMessage,
    Completion,
    LlmError,
    LlmTimeoutError,
    LlmUnavailableError,
    StreamChunk,
    Usage,
)


class LitellmMissingError(LlmError):
    pass


def _litellm() -> Any:
    # Never fetch the model cost map from the network at import time.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        import litellm
    except ImportError as error:
        raise LitellmMissingError(
            "provider 'litellm' needs the optional litellm layer (pip install litellm)"
        ) from error
    return litellm


def _translate(litellm: Any, error: Exception) -> LlmError:
    if isinstance(error, litellm.Timeout):
        return LlmTimeoutError(str(error))
    if isinstance(
        error,
        litellm.RateLimitError | litellm.ServiceUnavailableError | litellm.APIConnectionError,
    ):
        return LlmUnavailableError(str(error))
    return LlmError(str(error))


class LitellmClient:
    def __init__(self, model: str, timeout_s: float = 20.0, api_key: str | None = None) -> None:
        self._litellm = _litellm()
        self.model = model
        self.timeout_s = timeout_s
        self.api_key = api_key

    @property
    def name(self) -> str:
        return f"litellm:{self.model}"

    def _kwargs(
        self, messages: Sequence[ChatMessage], max_tokens: int, temperature: float
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
            "timeout": self.timeout_s,
            "num_retries": 0,
        }
        if self.api_key:
            kwargs["api_key"] = self.api_key
        return kwargs

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        json_object: bool = False,
    ) -> Completion:
        kwargs = self._kwargs(messages, max_tokens, temperature)
        if json_object:
            kwargs["response_format"] = {"type": "json_object"}
        try:
            response = await self._litellm.acompletion(**kwargs)
        except Exception as error:
            raise _translate(self._litellm, error) from error
        usage = getattr(response, "usage", None)
        return Completion(
            text=response.choices[0].message.content or "",
            model=str(getattr(response, "model", self.model)),
            usage=Usage(
                int(getattr(usage, "prompt_tokens", 0)), int(getattr(usage, "completion_tokens", 0))
            ),
        )

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
    ) -> AsyncIterator[StreamChunk]:
        kwargs = self._kwargs(messages, max_tokens, temperature)
        kwargs.update(stream=True, stream_options={"include_usage": True})
        usage = Usage()
        try:
            response = await self._litellm.acompletion(**kwargs)
            async for event in response:
                event_usage = getattr(event, "usage", None)
                if event_usage:
                    usage = Usage(event_usage.prompt_tokens, event_usage.completion_tokens)
                for choice in event.choices:
                    if choice.delta and choice.delta.content:
                        yield StreamChunk(delta=choice.delta.content)
        except Exception as error:
            raise _translate(self._litellm, error) from error
        yield StreamChunk(usage=usage, model=self.model)
