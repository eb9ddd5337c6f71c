"""LLM port and its adapters (OpenAI-compatible, Bedrock), with resilience."""

from __future__ import annotations

from pierre_rag.llm.port import (
    CONTENT_FILTER,
    ChatMessage,
    Completion,
    LlmClient,
    LlmError,
    LlmNoAnswerError,
    LlmTimeoutError,
    LlmUnavailableError,
    StreamChunk,
    Usage,
)

__all__ = [
    "CONTENT_FILTER",
    "ChatMessage",
    "Completion",
    "LlmClient",
    "LlmError",
    "LlmNoAnswerError",
    "LlmTimeoutError",
    "LlmUnavailableError",
    "StreamChunk",
    "Usage",
]
