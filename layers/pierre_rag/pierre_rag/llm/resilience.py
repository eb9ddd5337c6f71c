"""Timeouts are the adapters' job; here: retries with backoff, then the next model in a chain.

A stream is retried only while it has produced nothing: once a delta reached the user,
switching model would repeat or contradict it, so the error propagates instead.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Sequence

from pierre_rag.llm.port import ChatMessage, Completion, LlmClient, LlmError, StreamChunk

logger = logging.getLogger(__name__)


class ResilientClient:
    """Tries each client in order; each one ``attempts`` times on retryable errors."""

    def __init__(
        self,
        clients: Sequence[LlmClient],
        attempts: int = 2,
        base_delay_s: float = 0.3,
        max_delay_s: float = 3.0,
    ) -> None:
        if not clients:
            raise ValueError("ResilientClient needs at least one client")
        self.clients = list(clients)
        self.attempts = max(1, attempts)
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s

    @property
    def name(self) -> str:
        return self.clients[0].name

    async def _backoff(self, attempt: int) -> None:
        delay = min(self.max_delay_s, self.base_delay_s * 2**attempt)
        await asyncio.sleep(delay * (0.5 + random.random() / 2))  # noqa: S311 - jitter, not crypto

    def _plan(self) -> list[tuple[LlmClient, int]]:
        return [(client, attempt) for client in self.clients for attempt in range(self.attempts)]

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        json_object: bool = False,
    ) -> Completion:
        last: LlmError | None = None
        for client, attempt in self._plan():
            if last is not None and attempt > 0:
                await self._backoff(attempt - 1)
            try:
                return await client.complete(
                    messages,
                    max_tokens=max_tokens,
                    temperature=temperature,
                    json_object=json_object,
                )
            except LlmError as error:
                logger.warning("%s failed (attempt %d): %s", client.name, attempt + 1, error)
                last = error
                if not error.retryable:
                    break
        assert last is not None
        raise last

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
    ) -> AsyncIterator[StreamChunk]:
        last: LlmError | None = None
        for client, attempt in self._plan():
            if last is not None and attempt > 0:
                await self._backoff(attempt - 1)
            produced = False
            try:
                async for chunk in client.stream(
                    messages, max_tokens=max_tokens, temperature=temperature
                ):
                    produced = produced or bool(chunk.delta)
                    yield chunk
                return
            except LlmError as error:
                logger.warning("%s stream failed (attempt %d): %s", client.name, attempt + 1, error)
                if produced:
                    raise
                last = error
                if not error.retryable:
                    break
        assert last is not None
        raise last
