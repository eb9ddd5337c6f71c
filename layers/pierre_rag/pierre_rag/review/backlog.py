"""The "À améliorer" backlog: the questions of a recent window that the assistant did not
serve well — no answer found, a refusal, a thumbs-down from the tenant, an answer staff
scored 1 or less.

Bounded: the landlord's conversations of the last :data:`WINDOW_DAYS` are listed from the
by-day index (one Query per UTC day, at most :data:`MAX_LISTED` read), only those whose META
shows one of the reasons are opened (at most :data:`MAX_OPENED`), never a scan.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

from pierre_rag.conversations import AnswerReview, ConversationMeta, Turn
from pierre_rag.local_days import utc_days
from pierre_rag.review.handled import item_key
from pierre_rag.storage.ports import ConversationRepository

WINDOW_DAYS = 30
MAX_LISTED = 5000  # conversations listed from the index
MAX_OPENED = 300  # conversations whose turns are read
LOW_SCORE = 1  # an answer staff scored this or less is to improve
DAY_MS = 86_400_000


class Reason(StrEnum):
    NOTHING_FOUND = "nothing_found"
    REFUSED = "off_topic"
    THUMBS_DOWN = "thumbs_down"
    LOW_SCORE = "low_score"


OUTCOME_REASONS: Mapping[str, Reason] = {
    "nothing_found": Reason.NOTHING_FOUND,
    "off_topic": Reason.REFUSED,
}


@dataclass(frozen=True)
class BacklogItem:
    """One question to improve on, and why."""

    conversation_id: str
    message_id: str
    question: str
    asked_ms: int
    reasons: tuple[Reason, ...]

    @property
    def key(self) -> str:
        return item_key(self.conversation_id, self.message_id)


def needs_review(meta: ConversationMeta) -> bool:
    """Whether a conversation's META shows a reason (without reading its turns)."""
    lowest = meta.lowest_answer_score
    return (
        any(meta.outcomes.get(outcome) for outcome in OUTCOME_REASONS)
        or (meta.customer_score or 0) < 0
        or (lowest is not None and lowest <= LOW_SCORE)
    )


def items_of(
    meta: ConversationMeta, turns: Sequence[Turn], reviews: Mapping[str, AnswerReview]
) -> list[BacklogItem]:
    """A conversation's questions to improve on. A thumbs-down is given to the conversation:
    it counts for its last question."""
    questions = {turn.message_id: turn for turn in turns if turn.role == "user"}
    reasons: dict[str, list[Reason]] = {}
    for turn in turns:
        if turn.role != "assistant" or turn.message_id not in questions:
            continue
        found = reasons.setdefault(turn.message_id, [])
        refusal = OUTCOME_REASONS.get(turn.outcome or "")
        if refusal is not None:
            found.append(refusal)
        review = reviews.get(turn.message_id)
        if review is not None and review.score <= LOW_SCORE:
            found.append(Reason.LOW_SCORE)
    if (meta.customer_score or 0) < 0 and questions:
        last = max(questions.values(), key=lambda turn: turn.created_ms)
        reasons.setdefault(last.message_id, []).append(Reason.THUMBS_DOWN)
    return [
        BacklogItem(
            conversation_id=meta.conversation_id,
            message_id=message_id,
            question=questions[message_id].content,
            asked_ms=questions[message_id].created_ms,
            reasons=tuple(found),
        )
        for message_id, found in reasons.items()
        if found
    ]


def _listed(
    store: ConversationRepository, landlord: str, start_ms: int, end_ms: int
) -> Iterator[ConversationMeta]:
    listed = 0
    for day in utc_days(start_ms, end_ms):
        after = ""
        while True:
            metas, after = store.conversations_of_day(landlord, day, limit=500, after=after)
            for meta in metas:
                listed += 1
                if listed > MAX_LISTED:
                    return
                if start_ms <= meta.created_ms < end_ms:
                    yield meta
            if not after:
                break


def recent_items(
    store: ConversationRepository, landlord: str, now_ms: int, *, window_days: int = WINDOW_DAYS
) -> list[BacklogItem]:
    """The questions to improve on among the landlord's conversations of the window, newest
    conversations first."""
    start_ms = now_ms - window_days * DAY_MS
    candidates: list[ConversationMeta] = []
    for meta in _listed(store, landlord, start_ms, now_ms + 1):
        if needs_review(meta):
            candidates.append(meta)
            if len(candidates) == MAX_OPENED:
                break

    def read(meta: ConversationMeta) -> list[BacklogItem]:
        reviews = store.answer_reviews(meta.conversation_id) if meta.answer_scores else {}
        return items_of(meta, store.all_turns(meta.conversation_id), reviews)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return [item for items in pool.map(read, candidates) for item in items]
