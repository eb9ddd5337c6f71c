"""LLM port and its adapters (OpenAI-compatible, Bedrock), with resilience."""

from __future__ import annotations

from pierre_rag.llm.port import (
    ChatMessage,
    Completion,
    LlmClient,
    LlmError,
    LlmTimeoutError,
    LlmUnavailableError,
    StreamChunk,
    Usage,
)

__all__ = [
    "ChatMessage",
    "Completion",
    "LlmClient",
    "LlmError",
    "LlmTimeoutError",
    "LlmUnavailableError",
    "StreamChunk",
    "Usage",
]
