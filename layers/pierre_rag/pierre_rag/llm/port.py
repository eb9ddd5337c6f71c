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


class LlmNoAnswerError(LlmError):
    """The call succeeded but gave nothing to show: an empty or whitespace-only text, or one
    the provider's content filter stopped. Answered otherwise, never shown (or stored) empty."""


CONTENT_FILTER = "content_filter"
"""The finish reason of an answer a provider's content filter stopped (OpenAI's spelling;
adapters translate theirs to it)."""


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
    finish_reason: str | None = None  # stop, length, content_filter… (None: not said)


@dataclass(frozen=True)
class StreamChunk:
    """A text delta; the last chunk of a stream carries ``usage``, ``model`` and why the model
    stopped, ``finish_reason`` (delta empty)."""

    delta: str = ""
    usage: Usage | None = None
    model: str | None = None
    finish_reason: str | None = None


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
