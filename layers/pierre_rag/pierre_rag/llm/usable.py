"""Whether a model's output is an answer at all, whatever the provider.

A call can succeed and still give nothing to show: small models end their stream with no text
or only blank lines, and a provider's content filter stops an answer (``finish_reason``
``content_filter``). Both raise :class:`~pierre_rag.llm.port.LlmNoAnswerError`, so the
pipeline answers as it does when the call fails (excerpts, or an apology once words were
sent) instead of storing and showing an empty answer as answered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

from pierre_rag.llm.port import CONTENT_FILTER, Completion, LlmNoAnswerError, StreamChunk


def usable_completion(completion: Completion) -> Completion:
    """``completion``, unless it is blank or filtered (:class:`LlmNoAnswerError`)."""
    if completion.finish_reason == CONTENT_FILTER:
        raise LlmNoAnswerError("the provider's content filter stopped the answer")
    if not completion.text.strip():
        raise LlmNoAnswerError("the model answered nothing (empty or blank text)")
    return completion


async def usable_stream(chunks: AsyncIterator[StreamChunk]) -> AsyncIterator[StreamChunk]:
    """The stream's chunks, the whitespace before its first visible character left out; at its
    end, :class:`LlmNoAnswerError` if nothing visible came or the content filter stopped it
    (after the chunk with the usage, so the call's tokens are still counted)."""
    visible = False
    filtered = False
    async for chunk in chunks:
        filtered = filtered or chunk.finish_reason == CONTENT_FILTER
        if chunk.delta and not visible:
            visible = bool(chunk.delta.strip())
            if not visible and chunk.usage is None:
                continue
            chunk = replace(chunk, delta=chunk.delta.lstrip())
        yield chunk
    if filtered:
        raise LlmNoAnswerError("the provider's content filter stopped the answer")
    if not visible:
        raise LlmNoAnswerError("the model answered nothing (empty or blank stream)")
