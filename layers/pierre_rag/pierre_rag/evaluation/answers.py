"""Answer benchmark: what an extractive answer (no LLM) quotes, how long it is, in which language.

Each bench row is answered by the real pipeline over in-memory storage, on the web and the SMS
channel, its history stored first. An answer *quotes an expected section* when one of the
sources it quotes (those an extractive answer records in ``AnswerResult.quoted``, else those
whose heading the answer writes) is an expected file whose heading path holds an expected
heading. The articles an answer only offers to read more are not quoted, but count as
*offered* (the expected section quoted, or its article linked). Length is counted without the
emergency block, which is outside the budget. Budgets: ``WEB_MAX_WORDS`` words on
the web, ``SMS_MAX_PARTS`` SMS parts.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Sequence
from typing import Any

from pierre_rag.channel import Channel
from pierre_rag.conversations import Turn
from pierre_rag.evaluation.measures import percentile
from pierre_rag.evaluation.retrieval import ALL_RECALL_KINDS, BenchQuestion
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.pipeline import Outcome, Pipeline, TurnRequest
from pierre_rag.pipeline.models import AnswerResult, Source
from pierre_rag.pipeline.safety import without_block
from pierre_rag.sms.splitting import MAX_PARTS, split_sms
from pierre_rag.storage.memory import MemoryConversations

WEB_MAX_WORDS = 120
SMS_MAX_PARTS = 3
CHANNELS: tuple[Channel, ...] = ("web", "sms")
REFUSALS = (Outcome.OFF_TOPIC, Outcome.ABUSIVE)


def _heading_path(source: Source) -> list[str]:
    """The source's headings, its title first (``breadcrumb`` is "title > h1 > h2 …")."""
    return [part.strip() for part in source.breadcrumb.split(" > ")]


def quoted_sources(result: AnswerResult) -> list[Source]:
    """The sources the answer's text quotes: for an extractive answer those it says it quotes
    (not the articles it only offers to read more), else those whose heading it writes."""
    if result.mode == "extractive":
        return [s for s in result.sources if s.number in result.quoted]
    text = " ".join(result.text.split())
    return [s for s in result.sources if " ".join(s.heading.split()) in text]


def _expects(question: BenchQuestion, sources: Sequence[Source]) -> bool:
    wanted = {(e.file, e.heading.strip()) for e in question.expected}
    return any(
        (source.file, heading) in wanted for source in sources for heading in _heading_path(source)
    )


def quotes_expected(question: BenchQuestion, result: AnswerResult) -> bool:
    return _expects(question, quoted_sources(result))


def offers_expected(question: BenchQuestion, result: AnswerResult) -> bool:
    """Whether an expected section is quoted, or its article offered to read more."""
    if quotes_expected(question, result):
        return True
    offered = {s.file for s in result.sources if s.number not in result.quoted}
    return bool(offered & {e.file for e in question.expected})


def answer_body(result: AnswerResult) -> str:
    """The answer without its emergency block (which no budget limits)."""
    return without_block(result.text) if result.emergencies else result.text


def size(result: AnswerResult, channel: Channel) -> int:
    """Words on the web, SMS parts by SMS."""
    body = answer_body(result)
    if channel == "sms":
        return len(split_sms(body, max_parts=MAX_PARTS).parts)
    return len(body.split())


async def answer_row(
    pipeline: Pipeline,
    store: MemoryConversations,
    question: BenchQuestion,
    channel: Channel,
    landlord: str,
    *,
    live_history: bool = False,
) -> AnswerResult:
    """The pipeline's answer to the row's question, after its history (a conversation each):
    the recorded turns stored as they are, or with ``live_history`` its user turns answered by
    the pipeline first, as a tenant's conversation goes (the recorded replies are short notes,
    never what the pipeline would have said, so they cannot show an answer repeated)."""
    conversation = f"{question.id}-{channel}"
    if live_history:
        for number, turn in enumerate(question.history, start=1):
            if turn.role == "user":
                earlier = TurnRequest(
                    landlord=landlord,
                    channel=channel,
                    conversation_id=conversation,
                    message_id=f"history-{number}",
                    text=turn.content,
                )
                await pipeline.answer(earlier)
        return await pipeline.answer(
            TurnRequest(
                landlord=landlord,
                channel=channel,
                conversation_id=conversation,
                message_id="question",
                text=question.question,
            )
        )
    asked = "history-0"
    for number, turn in enumerate(question.history, start=1):
        if turn.role == "user":
            asked = f"history-{number}"
            user = Turn(role="user", content=turn.content, message_id=asked, created_ms=number)
            store.record_user_turn(
                conversation,
                user,
                landlord=landlord,
                context="default",
                channel=channel,
                retention_days=1,
            )
        else:  # an answer is stored under the message it answers
            answer = Turn(
                role="assistant", content=turn.content, message_id=asked, created_ms=number
            )
            store.record_answer(conversation, answer, retention_days=1)
    request = TurnRequest(
        landlord=landlord,
        channel=channel,
        conversation_id=conversation,
        message_id="question",
        text=question.question,
    )
    return await pipeline.answer(request)


def _sizes(values: list[int]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "median": float(statistics.median(values)),
        "p90": round(percentile([float(v) for v in values], 0.9), 1),
        "max": float(max(values)),
    }


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def run_answers_eval(
    knowledge: KnowledgeBase,
    registry: LandlordRegistry,
    questions: Sequence[BenchQuestion],
    *,
    landlord: str,
    live_history: bool = False,
) -> dict[str, Any]:
    """The figures of the module doc, per channel, and one line per row and channel."""
    store = MemoryConversations()
    pipeline = Pipeline(registry, knowledge, store, llm_for=lambda _: None)
    report: dict[str, Any] = {"n": len(questions)}
    details: list[dict[str, Any]] = []
    for channel in CHANNELS:
        rows = [
            (
                q,
                asyncio.run(
                    answer_row(pipeline, store, q, channel, landlord, live_history=live_history)
                ),
            )
            for q in questions
        ]
        report[channel] = _channel_figures(rows, channel)
        details.extend(_detail(q, r, channel) for q, r in rows)
    report["per_question"] = details
    return report


def _channel_figures(
    rows: Sequence[tuple[BenchQuestion, AnswerResult]], channel: Channel
) -> dict[str, Any]:
    in_scope = [(q, r) for q, r in rows if q.kind in ALL_RECALL_KINDS]
    answerable = [(q, r) for q, r in in_scope if q.expected]
    off_topic = [r for q, r in rows if q.kind == "off_topic"]
    sizes = [size(r, channel) for _, r in in_scope if r.outcome is Outcome.ANSWERED]
    budget = SMS_MAX_PARTS if channel == "sms" else WEB_MAX_WORDS
    return {
        "expected_section_quoted": _share([quotes_expected(q, r) for q, r in answerable]),
        "expected_section_offered": _share([offers_expected(q, r) for q, r in answerable]),
        "unit": "sms_parts" if channel == "sms" else "words",
        "size": _sizes(sizes),
        "over_budget": sum(s > budget for s in sizes),
        "language_match": _share([r.language == q.lang for q, r in in_scope]),
        "off_topic_refused": _share([r.outcome in REFUSALS for r in off_topic]),
        "in_scope_refused": _share([r.outcome in REFUSALS for _, r in in_scope]),
        "in_scope_nothing_found": _share([r.outcome is Outcome.NOTHING_FOUND for _, r in in_scope]),
    }


def _detail(question: BenchQuestion, result: AnswerResult, channel: Channel) -> dict[str, Any]:
    return {
        "id": question.id,
        "kind": question.kind,
        "channel": channel,
        "outcome": result.outcome.value,
        "quotes_expected": quotes_expected(question, result) if question.expected else None,
        "offers_expected": offers_expected(question, result) if question.expected else None,
        "size": size(result, channel),
        "language": result.language,
        "quoted": [s.breadcrumb for s in quoted_sources(result)],
    }
