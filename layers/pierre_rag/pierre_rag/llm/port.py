"""What the pipeline needs from a language model, independent of the provider."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol


class LlmError(RuntimeError):
    """A provider call failed; ``retryable`` tells the resilience layer whether to try again."""

    retryable: bool = False


class LlmTimeoutError(LlmError):
    retryable = True


class LlmUnavailableError(LlmError):
    """5xx, rate limit, connection refused: worth another try or another model."""

    retryable = True


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


@dataclass(frozen=True)
class Completion:
    text: str
    model: str
    usage: Usage = field(default_factory=Usage)


@dataclass(frozen=True)
class StreamChunk:
    """A text delta; the last chunk of a stream carries ``usage`` and ``model`` (delta empty)."""

    delta: str = ""
    usage: Usage | None = None
    model: str | None = None


class LlmClient(Protocol):
    @property
    def name(self) -> str:
        """provider:model, for logs, statistics and cost estimates."""
        ...

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        json_object: bool = False,
    ) -> Completion: ...

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
    ) -> AsyncIterator[StreamChunk]: ...
