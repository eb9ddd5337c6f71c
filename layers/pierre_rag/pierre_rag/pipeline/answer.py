"""Answer one turn: the heart shared by the web and SMS channels.

:meth:`Pipeline.stream` runs the stages in order, each in its own module:

resolve the landlord and context → record the user's message, reading the history
(:mod:`.persist`) → **understand** (:mod:`.understanding`) → **gate** (:mod:`.gate`) →
**validated answer** (:mod:`.validated`: staff's answer to a question close enough) →
**retrieve** (:mod:`.retrieve`; the gate's second check looks at what was found) →
**compose** (:mod:`.compose`: LLM stream, extractive, or the gate's fixed reply) →
**persist** the answer (:mod:`.persist`). How the answer is written (markup, length, the human
contact) is the channel's style (:mod:`.channels`). Everything is streamed as
:class:`PipelineEvent`.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from pierre_rag.channel import Channel
from pierre_rag.conversations import Turn, WriteGuard
from pierre_rag.landlords import ContextConfig, LandlordConfig, LandlordRegistry
from pierre_rag.limits import ABANDONED_AFTER_MS
from pierre_rag.llm import LlmClient
from pierre_rag.pipeline.breakdowns import on_call_line
from pierre_rag.pipeline.channels import CHANNELS, ChannelStyle
from pierre_rag.pipeline.compose import fixed_answer, grounded_answer
from pierre_rag.pipeline.cost import estimate_cost
from pierre_rag.pipeline.emergencies import Detection
from pierre_rag.pipeline.gate import FixedReply, follows_an_answer, gate, gate_search
from pierre_rag.pipeline.models import (
    AnswerResult,
    Outcome,
    PipelineEvent,
    StepTimings,
    TurnRequest,
    Understanding,
)
from pierre_rag.pipeline.ongoing import ongoing_emergencies, searched_with_the_emergency
from pierre_rag.pipeline.persist import MessageInProgressError, TurnRecorder, replay
from pierre_rag.pipeline.retrieve import Grounding, Searcher, number_sources, retrieve
from pierre_rag.pipeline.safety import safety_block
from pierre_rag.pipeline.understanding import UnderstandingOutcome, understand
from pierre_rag.pipeline.validated import find_validated, validated_sources, validated_text
from pierre_rag.storage.ports import ConversationRepository

if TYPE_CHECKING:
    from pierre_rag.metrics import OperationsMetrics
    from pierre_rag.review.matching import ValidatedAnswers, ValidatedMatch

logger = logging.getLogger(__name__)

__all__ = [
    "MessageInProgressError",
    "Pipeline",
    "PipelineConfig",
    "ProtectedContextError",
]


class ProtectedContextError(PermissionError):
    """The context is for staff only and the request carries no valid staff session."""


@dataclass(frozen=True)
class PipelineConfig:
    # Top-1 dense cosine under which the local heuristic calls a message off-topic (unless it
    # names a housing matter or comes close to a covered topic, see ``gate``): measured with
    # infra/bench_gate.py. Under ``nothing_found_min_cosine`` the match is too weak to quote:
    # any message gets "nothing found" and the landlord's contact (infra/answer_cv.py: 0.30
    # lost 1.8 % of answerable rows out of fold and caught 44 % of the questions the corpus
    # cannot answer; 0.22 before).
    in_scope_min_cosine: float = 0.30
    # Best match under this: "nothing found" and the contact (infra/answer_cv.py, out of fold),
    # unless a word of the message at least this rare (log of chunks over its document
    # frequency: in fewer than 1 chunk in 20) heads one of the first sections found. Short
    # messages ("c quoi le dalo", "besoin d'une quittance") come close to no chunk for the
    # dense model; measured with infra/answer_cv.py and tests/bench/short_messages*.jsonl.
    nothing_found_min_cosine: float = 0.30
    heading_min_idf: float = 3.0
    # As close to a covered topic (``knowledge.scope``) as this: in scope. The middle of the
    # range (0.32 to 0.34) where the tuning sets lose no housing question and refuse as many
    # off-topic ones; lower lets more off-topic through, higher starts refusing tenants.
    scope_min_cosine: float = 0.33
    # Closer by this to a subject the assistant does not cover than to any it covers: a close
    # section does not make the message in scope (the middle of the tuning sets' 0.12 to 0.18).
    elsewhere_margin: float = 0.15
    history_turns: int = 8
    # A message received this long ago and still unanswered was abandoned by its request.
    abandoned_after_ms: int = ABANDONED_AFTER_MS
    search_k: int = 6
    # Format and length budget (max tokens, sources, excerpts) of each channel's answers.
    channels: Mapping[Channel, ChannelStyle] = field(default_factory=lambda: CHANNELS)


@dataclass
class _Turn:
    """What the stages of one turn share: who asks, where, through which channel."""

    request: TurnRequest
    landlord: LandlordConfig
    context: ContextConfig
    style: ChannelStyle
    llm: LlmClient | None
    timings: StepTimings


class Pipeline:
    def __init__(
        self,
        registry: LandlordRegistry,
        knowledge: Searcher | Callable[[str], Searcher],
        store: ConversationRepository | None,
        llm_for: Callable[[LandlordConfig], LlmClient | None],
        config: PipelineConfig | None = None,
        timer: Callable[[], float] = time.perf_counter,
        clock: Callable[[], float] = time.time,
        metrics: OperationsMetrics | None = None,
        validated: ValidatedAnswers | None = None,
    ) -> None:
        self.registry = registry
        # landlord → what to search: its live datastore (``publishing.serving``), or one
        # knowledge base for every landlord
        self.knowledge_for = _per_landlord(knowledge)
        self.store = store
        self.llm_for = llm_for
        self.config = config or PipelineConfig()
        self.timer = timer  # seconds, monotonic: the steps' durations (injectable in tests)
        self.clock = clock  # seconds since the epoch: the turns' timestamps (injectable in tests)
        self.metrics = metrics  # each answered turn's operations metrics
        self.validated = validated  # the landlords' validated answers (None: none served)

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    async def answer(self, request: TurnRequest) -> AnswerResult:
        """Run the turn to the end and return the final result (the SMS worker's way)."""
        async with contextlib.aclosing(self.stream(request)) as events:
            async for event in events:
                if event.type == "done" and event.result is not None:
                    return event.result
        raise RuntimeError("the pipeline ended without a result")

    def resolve(self, request: TurnRequest) -> tuple[LandlordConfig, ContextConfig]:
        landlord = self.registry.get(request.landlord)
        context = landlord.context(request.context)
        if context.protected and not request.staff:
            raise ProtectedContextError(f"context {request.context!r} requires a staff session")
        return landlord, context

    async def stream(
        self, request: TurnRequest, guard: WriteGuard | None = None
    ) -> AsyncGenerator[PipelineEvent, None]:
        """The turn's events. ``guard`` (rate limits) rides in the user turn's write: when it
        refuses, :class:`GuardRefusedError` is raised before any event and nothing is stored."""
        started = self.timer()
        timings = StepTimings()
        landlord, context = self.resolve(request)
        # Before the message is stored: a landlord without a usable provider refuses the turn
        # cleanly instead of keeping an unanswered question.
        llm = self.llm_for(landlord)
        style = self.config.channels[request.channel]
        turn = _Turn(request, landlord, context, style, llm, timings)
        recorder = TurnRecorder(
            self.store,
            history_turns=self.config.history_turns,
            abandoned_after_ms=self.config.abandoned_after_ms,
            now_ms=self._now_ms,
        )

        tick = self.timer()
        recorded = await recorder.record_question(request, landlord, guard)
        if recorded.answer is not None:
            for event in replay(recorded.answer, context.show_sources):
                yield event
            return
        timings.history_ms = (self.timer() - tick) * 1000

        understood = await self._understand(turn, recorded.history)
        understanding = understood.understanding
        result = AnswerResult(text="", outcome=Outcome.ANSWERED, language=understanding.language)
        ongoing = ongoing_emergencies(turn.request.text, recorded.history)
        block = emergency_block(turn, understanding, result, ongoing.detection)
        if ongoing.carried:
            understanding = searched_with_the_emergency(
                understanding, turn.request.text, recorded.history
            )
        if block:
            yield PipelineEvent(type="delta", text=block)
        async for event in self._answer(turn, understanding, recorded.history, result, block):
            yield event
        if block:
            result.text = block + ("\n\n" + result.text if result.text else "")
        _account(result, understood, llm)

        # The stored latency is the turn's time up to its own write (which cannot time itself):
        # set before persisting, or every stored answer says 0 ms.
        timings.total_ms = (self.timer() - started) * 1000
        result.timings = timings
        if self.store is not None:
            tick = self.timer()
            recorder.record_answer(request, landlord, recorded.question, result)
            timings.persistence_ms = (self.timer() - tick) * 1000
            timings.total_ms += timings.persistence_ms
        if self.metrics is not None:
            self.metrics.turn(landlord.id, result, llm_configured=llm is not None)
        yield PipelineEvent(type="done", result=result)

    async def _answer(
        self,
        turn: _Turn,
        understanding: Understanding,
        history: Sequence[Turn],
        result: AnswerResult,
        block: str,
    ) -> AsyncIterator[PipelineEvent]:
        """Gate, retrieve and compose. After an emergency ``block`` the rest follows it, and
        a refusal, "nothing found" or a failed search leave the block alone as the answer:
        the block never depends on them."""
        try:
            fixed = gate(
                turn.request.text,
                understanding,
                turn.context.greeting,
                after_a_reply=any(t.role == "assistant" for t in history),
                handoff=turn.style.contact(turn.context),
            )
            if fixed is None:
                validated = find_validated(
                    self.validated, turn.landlord, understanding, turn.request.text
                )
                if validated is not None:
                    for event in self._serve_validated(turn, validated, result, block):
                        yield event
                    return
            basis = fixed if fixed is not None else self._retrieve(turn, understanding, history)
        except Exception:
            if not block:
                raise
            logger.exception("the search failed after an emergency block: the block answers")
            result.mode = "fixed"
            return
        if isinstance(basis, FixedReply):
            if block and basis.outcome is not Outcome.ANSWERED:
                result.mode = "fixed"
                return
            text = fixed_answer(basis, turn.style, result)
            yield PipelineEvent(type="delta", text="\n\n" + text if block else text)
            return
        separator = "\n\n" if block else ""
        # After an emergency block, which gives the on-call line where it helps, not again.
        on_call = None if block else on_call_line(turn.request.text, turn.landlord, result.language)
        async for event in self._compose(turn, basis, history, understanding, result, on_call):
            if separator and event.type == "delta":
                event = event.model_copy(update={"text": separator + event.text})
                separator = ""
            yield event

    def _serve_validated(
        self, turn: _Turn, match: ValidatedMatch, result: AnswerResult, block: str
    ) -> list[PipelineEvent]:
        """The validated answer's events: its text (after the emergency ``block``, if any),
        then its sources where the context shows them."""
        text = validated_text(match, turn.landlord, turn.style)
        result.text, result.mode = text, "validated"
        events = [PipelineEvent(type="delta", text="\n\n" + text if block else text)]
        if turn.context.show_sources:
            result.sources = validated_sources(match)
            if result.sources:
                events.append(PipelineEvent(type="sources", sources=result.sources))
        return events

    async def _understand(self, turn: _Turn, history: Sequence[Turn]) -> UnderstandingOutcome:
        tick = self.timer()
        understood = await understand(turn.request.text, history, turn.llm)
        turn.timings.understanding_ms = (self.timer() - tick) * 1000
        if understood.round_trips:
            turn.timings.llm_ms += turn.timings.understanding_ms
        return understood

    def _retrieve(
        self, turn: _Turn, understanding: Understanding, history: Sequence[Turn]
    ) -> FixedReply | Grounding:
        """The sections to answer from, or the gate's reply when they cannot ground one."""
        tick = self.timer()
        found = retrieve(
            self.knowledge_for(turn.landlord.id),
            understanding,
            turn.request.text,
            k=self.config.search_k,
            landlord=turn.landlord.id,
            access=turn.context.access,
            history=history,
        )
        turn.timings.retrieval_ms = (self.timer() - tick) * 1000
        fixed = gate_search(
            understanding,
            found,
            in_scope_min_cosine=self.config.in_scope_min_cosine,
            nothing_found_min_cosine=self.config.nothing_found_min_cosine,
            heading_min_idf=self.config.heading_min_idf,
            scope_min_cosine=self.config.scope_min_cosine,
            elsewhere_margin=self.config.elsewhere_margin,
            handoff=turn.style.contact(turn.context),
            after_an_answer=follows_an_answer(history),
        )
        if fixed is not None:
            return fixed
        grounding = number_sources(found.results, turn.style.sources, landlord=turn.landlord.id)
        grounding.acronyms = list(found.acronyms)
        return grounding

    async def _compose(
        self,
        turn: _Turn,
        grounding: Grounding,
        history: Sequence[Turn],
        understanding: Understanding,
        result: AnswerResult,
        on_call: str | None,
    ) -> AsyncIterator[PipelineEvent]:
        """The grounded answer's deltas, then its sources (where the context shows them)."""
        tick = self.timer()
        pieces: list[str] = []
        async for piece in grounded_answer(
            grounding,
            text=turn.request.text,
            understanding=understanding,
            history=history,
            landlord=turn.landlord,
            context=turn.context,
            style=turn.style,
            llm=turn.llm,
            result=result,
            on_call=on_call,
        ):
            pieces.append(piece)
            yield PipelineEvent(type="delta", text=piece)
        result.text = "".join(pieces)
        turn.timings.generation_ms = (self.timer() - tick) * 1000
        if result.mode == "llm":
            turn.timings.llm_ms += turn.timings.generation_ms
        if turn.context.show_sources:
            result.sources = grounding.sources
            yield PipelineEvent(type="sources", sources=grounding.sources)


def _per_landlord(knowledge: Searcher | Callable[[str], Searcher]) -> Callable[[str], Searcher]:
    """A resolver as given; a knowledge base (anything that searches) for every landlord."""
    if callable(knowledge) and not hasattr(knowledge, "search_many"):
        return knowledge
    searcher = cast("Searcher", knowledge)
    return lambda landlord: searcher


def emergency_block(
    turn: _Turn, understanding: Understanding, result: AnswerResult, detection: Detection
) -> str:
    """The emergency block ``detection`` calls for, in the channel's markup ("" for none);
    the intents it answers are recorded in ``result``. Detected from the message, or from the
    one before it when the message goes on with it (``pipeline.ongoing``)."""
    block = safety_block(
        detection,
        understanding,
        turn.landlord,
        compact=turn.style.markup == "plain",
    )
    if block is None:
        return ""
    result.emergencies = [intent.value for intent in block.intents]
    return turn.style.fixed_reply(block.text)


def _account(result: AnswerResult, understood: UnderstandingOutcome, llm: LlmClient | None) -> None:
    """The whole turn's tokens, round trips, model and estimated cost (understanding included)."""
    result.prompt_tokens += understood.usage.prompt_tokens
    result.completion_tokens += understood.usage.completion_tokens
    result.llm_round_trips += understood.round_trips
    if understood.failed:
        result.llm_failures.insert(0, "understanding")
    result.model = result.model or (llm.name if llm and understood.round_trips else None)
    result.cost_usd = estimate_cost(result.model, result.prompt_tokens, result.completion_tokens)
