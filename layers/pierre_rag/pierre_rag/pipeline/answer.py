"""Answer one turn: the heart shared by the web and SMS channels.

resolve tenant/context → history → record the user turn (idempotent) → understand →
gate (abusive / off-topic) → hybrid search → generate (LLM stream, or extractive) →
persist the answer. Everything is streamed as :class:`PipelineEvent`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from pierre_rag.conversations import (
    ConversationStore,
    DuplicateMessageError,
    Turn,
    WriteGuard,
)
from pierre_rag.knowledge.models import SearchResult
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.limits import ABANDONED_AFTER_MS
from pierre_rag.llm import LlmClient, LlmError, Usage
from pierre_rag.pipeline import messages
from pierre_rag.pipeline.cost import estimate_cost
from pierre_rag.pipeline.extractive import extractive_answer
from pierre_rag.pipeline.models import (
    AnswerResult,
    Outcome,
    PipelineEvent,
    Source,
    StepTimings,
    TurnRequest,
)
from pierre_rag.pipeline.prompts import generation_messages
from pierre_rag.pipeline.text import excerpt, markdown_to_plain
from pierre_rag.pipeline.understanding import is_small_talk, understand
from pierre_rag.tenants import ContextConfig, TenantConfig, TenantRegistry

logger = logging.getLogger(__name__)


class ProtectedContextError(PermissionError):
    """The context is for staff only and the request carries no valid staff session."""


class MessageInProgressError(RuntimeError):
    """The same message is being answered by another request (a client retry)."""


@dataclass(frozen=True)
class PipelineConfig:
    # Top-1 dense cosine under which the local heuristic calls a message off-topic, and under
    # which any message gets "nothing found". Calibrated with `pierre eval gating`.
    in_scope_min_cosine: float = 0.30
    nothing_found_min_cosine: float = 0.22
    history_turns: int = 8
    # A message received this long ago and still unanswered was abandoned by its request.
    abandoned_after_ms: int = ABANDONED_AFTER_MS
    search_k: int = 6
    web_sources: int = 4
    sms_sources: int = 3
    web_max_tokens: int = 600
    sms_max_tokens: int = 250


def _sources(results: Sequence[SearchResult], limit: int) -> tuple[list[Source], list[str]]:
    """Numbered sources, one per section (chunks of one section are merged)."""
    sources: list[Source] = []
    texts: list[str] = []
    index: dict[tuple[str, str], int] = {}
    for result in results:
        heading = result.heading_path[-1] if result.heading_path else result.title
        key = (result.file, heading)
        if key in index:
            texts[index[key]] += "\n\n" + result.text
            continue
        if len(sources) == limit:
            continue
        index[key] = len(sources)
        sources.append(
            Source(
                number=len(sources) + 1,
                file=result.file,
                title=result.title,
                heading=heading,
                breadcrumb=result.breadcrumb,
                excerpt=excerpt(result.text, 280),
            )
        )
        texts.append(result.text)
    return sources, texts


def _handoff_text(context: ContextConfig, channel: str) -> str | None:
    if context.handoff is None:
        return None
    return context.handoff.as_short_text() if channel == "sms" else context.handoff.as_text()


class Pipeline:
    def __init__(
        self,
        registry: TenantRegistry,
        knowledge: KnowledgeBase,
        store: ConversationStore | None,
        llm_for: Callable[[TenantConfig], LlmClient | None],
        config: PipelineConfig | None = None,
        timer: Callable[[], float] = time.perf_counter,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry
        self.knowledge = knowledge
        self.store = store
        self.llm_for = llm_for
        self.config = config or PipelineConfig()
        self.timer = timer  # seconds, monotonic: the steps' durations (injectable in tests)
        self.clock = clock  # seconds since the epoch: the turns' timestamps (injectable in tests)

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    async def answer(self, request: TurnRequest) -> AnswerResult:
        """Run the turn to the end and return the final result (the SMS worker's way)."""
        async with contextlib.aclosing(self.stream(request)) as events:
            async for event in events:
                if event.type == "done" and event.result is not None:
                    return event.result
        raise RuntimeError("the pipeline ended without a result")

    async def _record_and_read_history(
        self,
        store: ConversationStore,
        request: TurnRequest,
        question: Turn,
        tenant: TenantConfig,
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
                tenant=tenant.id,
                context=request.context,
                channel=request.channel,
                retention_days=tenant.retention_days,
                extra_meta=request.extra_meta,
                guard=guard,
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await reading  # never leave the read running unobserved
            raise
        return await reading

    def _abandoned(self, question: Turn | None) -> bool:
        """A stored question no request can still be answering (older than any timeout)."""
        if question is None:
            return False
        return self._now_ms() - question.created_ms > self.config.abandoned_after_ms

    async def _history_before(self, store: ConversationStore, request: TurnRequest) -> list[Turn]:
        """The last turns before this message (its own user turn, if stored, is left out)."""
        limit = self.config.history_turns
        turns = await asyncio.to_thread(store.last_turns, request.conversation_id, limit + 1)
        return [turn for turn in turns if turn.message_id != request.message_id][-limit:]

    def resolve(self, request: TurnRequest) -> tuple[TenantConfig, ContextConfig]:
        tenant = self.registry.get(request.tenant)
        context = tenant.context(request.context)
        if context.protected and not request.staff:
            raise ProtectedContextError(f"context {request.context!r} requires a staff session")
        return tenant, context

    async def stream(
        self, request: TurnRequest, guard: WriteGuard | None = None
    ) -> AsyncGenerator[PipelineEvent, None]:
        """The turn's events. ``guard`` (rate limits) rides in the user turn's write: when it
        refuses, :class:`GuardRefusedError` is raised before any event and nothing is stored."""
        started = self.timer()
        timings = StepTimings()
        tenant, context = self.resolve(request)
        # Before the message is stored: a landlord without a usable provider refuses the turn
        # cleanly instead of keeping an unanswered question.
        llm = self.llm_for(tenant)

        tick = self.timer()
        history: list[Turn] = []
        question = Turn("user", request.text, request.message_id, self._now_ms())
        if self.store is not None:
            try:
                history = await self._record_and_read_history(
                    self.store, request, question, tenant, guard
                )
            except DuplicateMessageError as duplicate:
                if duplicate.answer is not None:
                    for event in self._replay(duplicate.answer, context):
                        yield event
                    return
                if not self._abandoned(duplicate.question):
                    raise MessageInProgressError(request.message_id) from duplicate
                # The request that stored it died before answering (timeout, crash): the
                # stored question is answered now, so a retry is never refused forever.
                logger.warning("answering message %s again: left unanswered", request.message_id)
                question = duplicate.question or question
                history = await self._history_before(self.store, request)
        timings.history_ms = (self.timer() - tick) * 1000

        usage = Usage()
        round_trips = 0

        tick = self.timer()
        understood = await understand(request.text, history, llm)
        understanding = understood.understanding
        usage.add(understood.usage)
        round_trips += understood.round_trips
        timings.understanding_ms = (self.timer() - tick) * 1000
        if understood.round_trips:
            timings.llm_ms += timings.understanding_ms
        language = understanding.language

        result = AnswerResult(text="", outcome=Outcome.ANSWERED, language=language)
        sources: list[Source] = []
        texts: list[str] = []
        reminder = ""
        if is_small_talk(request.text):
            result.text = context.greeting
        elif understanding.abusive and not understanding.search_queries:
            result.outcome, result.text = Outcome.ABUSIVE, messages.abusive(language)
        elif understanding.source == "llm" and not understanding.in_scope:
            result.outcome = Outcome.ABUSIVE if understanding.abusive else Outcome.OFF_TOPIC
            result.text = (
                messages.abusive(language)
                if understanding.abusive
                else messages.off_topic(language)
            )
        else:
            tick = self.timer()
            queries = understanding.search_queries or [request.text]
            response = self.knowledge.search_many(
                queries, k=self.config.search_k, tenant=tenant.id, access=context.access
            )
            timings.retrieval_ms = (self.timer() - tick) * 1000
            heuristic_in_scope = response.top_cosine >= self.config.in_scope_min_cosine
            if understanding.source == "heuristic" and not heuristic_in_scope:
                result.outcome = Outcome.ABUSIVE if understanding.abusive else Outcome.OFF_TOPIC
                result.text = (
                    messages.abusive(language)
                    if understanding.abusive
                    else messages.off_topic(language)
                )
            elif not response.results or response.top_cosine < self.config.nothing_found_min_cosine:
                handoff = _handoff_text(context, request.channel)
                result.outcome = Outcome.NOTHING_FOUND
                result.text = messages.nothing_found(language, handoff)
            else:
                limit = (
                    self.config.sms_sources if request.channel == "sms" else self.config.web_sources
                )
                sources, texts = _sources(response.results, limit)
                if understanding.abusive:
                    reminder = messages.phrases(language).abusive_reminder + "\n\n"

        if sources:
            tick = self.timer()
            generated = ""
            if reminder:
                generated = reminder
                yield PipelineEvent(type="delta", text=reminder)
            async for piece in self._generate(
                request,
                tenant,
                context,
                history,
                understanding.standalone_question,
                sources,
                texts,
                llm,
                result,
            ):
                generated += piece
                yield PipelineEvent(type="delta", text=piece)
            result.text = generated
            timings.generation_ms = (self.timer() - tick) * 1000
            if result.mode == "llm":
                timings.llm_ms += timings.generation_ms
            if context.show_sources:
                result.sources = sources
                yield PipelineEvent(type="sources", sources=sources)
        else:
            result.mode = "fixed"
            if request.channel == "sms":
                result.text = markdown_to_plain(result.text)
            yield PipelineEvent(type="delta", text=result.text)

        result.prompt_tokens += usage.prompt_tokens
        result.completion_tokens += usage.completion_tokens
        result.llm_round_trips += round_trips
        result.model = result.model or (llm.name if llm and round_trips else None)
        result.cost_usd = estimate_cost(
            result.model, result.prompt_tokens, result.completion_tokens
        )

        # The stored latency is the turn's time up to its own write (which cannot time itself):
        # set before persisting, or every stored answer says 0 ms.
        timings.total_ms = (self.timer() - started) * 1000
        result.timings = timings
        if self.store is not None:
            tick = self.timer()
            self._persist(request, tenant, question, result)
            timings.persistence_ms = (self.timer() - tick) * 1000
            timings.total_ms += timings.persistence_ms
        yield PipelineEvent(type="done", result=result)

    async def _generate(
        self,
        request: TurnRequest,
        tenant: TenantConfig,
        context: ContextConfig,
        history: Sequence[Turn],
        standalone_question: str,
        sources: list[Source],
        texts: list[str],
        llm: LlmClient | None,
        result: AnswerResult,
    ) -> AsyncIterator[str]:
        handoff = _handoff_text(context, request.channel)
        if llm is not None:
            prompt = generation_messages(
                tenant=tenant,
                context=context,
                channel=request.channel,
                language=result.language,
                history=history,
                question=request.text
                if not standalone_question or standalone_question == request.text
                else f"{request.text}\n\n(Question reformulée : {standalone_question})",
                sources=sources,
                texts=texts,
            )
            max_tokens = (
                self.config.sms_max_tokens
                if request.channel == "sms"
                else self.config.web_max_tokens
            )
            produced = False
            try:
                async for chunk in llm.stream(prompt, max_tokens=max_tokens):
                    if chunk.usage is not None:
                        result.prompt_tokens += chunk.usage.prompt_tokens
                        result.completion_tokens += chunk.usage.completion_tokens
                        result.model = chunk.model and f"{llm.name.split(':', 1)[0]}:{chunk.model}"
                    if chunk.delta:
                        produced = True
                        yield (
                            markdown_to_plain(chunk.delta, keep_citations=True)
                            if request.channel == "sms"
                            else chunk.delta
                        )
                result.mode = "llm"
                result.llm_round_trips += 1
                return
            except LlmError as error:
                result.llm_round_trips += 1
                if produced:
                    logger.error("generation failed mid-answer: %s", error)
                    result.outcome = Outcome.ERROR
                    yield "\n\n" + messages.phrases(result.language).error
                    return
                logger.warning("generation failed, answering with excerpts: %s", error)
        result.mode = "extractive"
        yield extractive_answer(
            sources, texts, language=result.language, channel=request.channel, handoff=handoff
        )

    def _replay(self, answer: Turn, context: ContextConfig) -> list[PipelineEvent]:
        sources = [Source.model_validate(s) for s in answer.sources] if context.show_sources else []
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

    def _persist(
        self, request: TurnRequest, tenant: TenantConfig, question: Turn, result: AnswerResult
    ) -> None:
        assert self.store is not None
        answer = Turn(
            role="assistant",
            content=result.text,
            message_id=request.message_id,
            created_ms=max(self._now_ms(), question.created_ms + 1),
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
        )
        self.store.record_answer(request.conversation_id, answer, tenant.retention_days)
