"""Persist: the user's message before it is answered, the answer after.

The message is recorded first and once (a retried request is replayed its stored answer, and
a refused one stores nothing), while the conversation's history is read. Without a store (an
evaluation), nothing is recorded and there is no history.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from pierre_rag.conversations import DuplicateMessageError, Turn, WriteGuard
from pierre_rag.landlords import LandlordConfig
from pierre_rag.pipeline.models import AnswerResult, Outcome, PipelineEvent, Source, TurnRequest
from pierre_rag.pipeline.signals import turn_signals
from pierre_rag.storage.ports import ConversationRepository

logger = logging.getLogger(__name__)


class MessageInProgressError(RuntimeError):
    """The same message is being answered by another request (a client retry)."""


@dataclass(frozen=True)
class Recorded:
    """The stored question, the turns before it, and its stored answer if it has one."""

    question: Turn
    history: list[Turn] = field(default_factory=list)
    answer: Turn | None = None


class TurnRecorder:
    def __init__(
        self,
        store: ConversationRepository | None,
        *,
        history_turns: int,
        abandoned_after_ms: int,
        now_ms: Callable[[], int],
    ) -> None:
        self.store = store
        self.history_turns = history_turns
        self.abandoned_after_ms = abandoned_after_ms
        self.now_ms = now_ms

    async def record_question(
        self, request: TurnRequest, landlord: LandlordConfig, guard: WriteGuard | None
    ) -> Recorded:
        """Store the user turn once. ``guard`` (rate limits) rides in its write: when it
        refuses, :class:`GuardRefusedError` is raised and nothing is stored. A message
        answered already comes back with its ``answer``; one still being answered raises
        :class:`MessageInProgressError`."""
        question = Turn("user", request.text, request.message_id, self.now_ms())
        if self.store is None:
            return Recorded(question)
        try:
            history = await self._record_and_read_history(
                self.store, request, question, landlord, guard
            )
        except DuplicateMessageError as duplicate:
            return await self._retried(self.store, request, question, duplicate)
        return Recorded(question, history)

    def record_answer(
        self, request: TurnRequest, landlord: LandlordConfig, question: Turn, result: AnswerResult
    ) -> None:
        if self.store is None:
            return
        answer = answer_turn(request, question, result, self.now_ms())
        self.store.record_answer(request.conversation_id, answer, landlord.retention_days)

    async def _record_and_read_history(
        self,
        store: ConversationRepository,
        request: TurnRequest,
        question: Turn,
        landlord: LandlordConfig,
        guard: WriteGuard | None,
    ) -> list[Turn]:
        """Store the user turn and read the earlier turns at the same time: two DynamoDB
        round trips in the time of one. The read may already see the new turn: it is left
        out, so the history is the turns before this message either way."""
        reading = asyncio.ensure_future(self._history_before(store, request))
        try:
            await asyncio.to_thread(
                store.record_user_turn,
                request.conversation_id,
                question,
                landlord=landlord.id,
                context=request.context,
                channel=request.channel,
                retention_days=landlord.retention_days,
                extra_meta=request.extra_meta,
                guard=guard,
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await reading  # never leave the read running unobserved
            raise
        return await reading

    async def _retried(
        self,
        store: ConversationRepository,
        request: TurnRequest,
        question: Turn,
        duplicate: DuplicateMessageError,
    ) -> Recorded:
        if duplicate.answer is not None:
            return Recorded(question, answer=duplicate.answer)
        if not self._abandoned(duplicate.question):
            raise MessageInProgressError(request.message_id) from duplicate
        # The request that stored it died before answering (timeout, crash): the stored
        # question is answered now, so a retry is never refused forever.
        logger.warning("answering message %s again: left unanswered", request.message_id)
        history = await self._history_before(store, request)
        return Recorded(duplicate.question or question, history)

    def _abandoned(self, question: Turn | None) -> bool:
        """A stored question no request can still be answering (older than any timeout)."""
        if question is None:
            return False
        return self.now_ms() - question.created_ms > self.abandoned_after_ms

    async def _history_before(
        self, store: ConversationRepository, request: TurnRequest
    ) -> list[Turn]:
        """The last turns before this message (its own user turn, if stored, is left out)."""
        limit = self.history_turns
        turns = await asyncio.to_thread(store.last_turns, request.conversation_id, limit + 1)
        return [turn for turn in turns if turn.message_id != request.message_id][-limit:]


def answer_turn(request: TurnRequest, question: Turn, result: AnswerResult, now_ms: int) -> Turn:
    """The assistant turn to store: always after its question, even if the clock is not."""
    return Turn(
        role="assistant",
        content=result.text,
        message_id=request.message_id,
        created_ms=max(now_ms, question.created_ms + 1),
        sources=[source.model_dump() for source in result.sources],
        outcome=result.outcome.value,
        language=result.language,
        model=result.model,
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        latency_ms={
            "total": round(result.timings.total_ms, 1),
            "llm": round(result.timings.llm_ms, 1),
        },
        cost_usd=result.cost_usd,
        signals=[signal.value for signal in turn_signals(result)],
    )


def replay(answer: Turn, show_sources: bool) -> list[PipelineEvent]:
    """The events of an answer stored earlier, as if it were streamed again."""
    sources = [Source.model_validate(s) for s in answer.sources] if show_sources else []
    result = AnswerResult(
        text=answer.content,
        outcome=Outcome(answer.outcome or Outcome.ANSWERED),
        language=answer.language or "fr",
        sources=sources,
        replayed=True,
    )
    events = [PipelineEvent(type="delta", text=answer.content)]
    if sources:
        events.append(PipelineEvent(type="sources", sources=sources))
    events.append(PipelineEvent(type="done", result=result))
    return events
