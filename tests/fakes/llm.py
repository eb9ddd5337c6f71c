"""An in-process LLM for fast unit tests of the pipeline's stages (no server, no port).

    llm = ScriptedLlm(understood='{"language": "fr", ...}', answer="Un mois [1].")

``complete`` (the understanding call) returns ``understood``; ``stream`` (the answer) yields
``answer`` in pieces of ``piece_chars`` characters, then a last chunk with the usage and the
model. ``fail_understanding`` makes ``complete`` raise; ``fail_after`` makes ``stream`` raise
after that many pieces (0: before the first); ``finish_reason`` is what both say last
(``content_filter``: the provider's filter stopped them). Every call is recorded in ``calls``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from pierre_rag.llm import ChatMessage, Completion, LlmError, StreamChunk, Usage


@dataclass(frozen=True)
class LlmCall:
    kind: str  # complete | stream
    messages: list[ChatMessage]
    max_tokens: int


@dataclass
class ScriptedLlm:
    name: str = "openai:gpt-4o-mini"
    understood: str = "{}"
    answer: str = "Réponse de test [1]."
    piece_chars: int = 8
    usage: Usage = field(default_factory=lambda: Usage(prompt_tokens=100, completion_tokens=20))
    model: str = "gpt-4o-mini-2024-07-18"
    fail_understanding: bool = False
    fail_after: int | None = None
    finish_reason: str = "stop"
    calls: list[LlmCall] = field(default_factory=list)

    async def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        json_object: bool = False,
    ) -> Completion:
        self.calls.append(LlmCall("complete", list(messages), max_tokens))
        if self.fail_understanding:
            raise LlmError("scripted understanding failure")
        return Completion(self.understood, self.model, Usage(11, 7), self.finish_reason)

    async def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int,
        temperature: float = 0.2,
    ) -> AsyncIterator[StreamChunk]:
        self.calls.append(LlmCall("stream", list(messages), max_tokens))
        pieces = [
            self.answer[i : i + self.piece_chars]
            for i in range(0, len(self.answer), self.piece_chars)
        ]
        for sent, piece in enumerate(pieces):
            if sent == self.fail_after:
                raise LlmError("scripted generation failure")
            yield StreamChunk(delta=piece)
        if self.fail_after is not None and self.fail_after >= len(pieces):
            raise LlmError("scripted generation failure")
        yield StreamChunk(usage=self.usage, model=self.model, finish_reason=self.finish_reason)
