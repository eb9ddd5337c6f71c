"""An emergency goes on past the message that said it.

The block is detected in each message alone, so "j'ai ouvert les fenêtres, et maintenant ?"
right after "ça sent le gaz dans ma cuisine" got "nothing found" and no block at all: the
tenant, still in danger, lost the numbers to call. The message right after an emergency is
still in it when it reads as a follow-up (a leading link or pronoun) or is short (at most
``SHORT_WORDS`` words, as a message typed in a hurry is), unless it is only small talk
("merci", "ok") or announces another subject ("sinon", "autre question"). A longer message on
another subject is not: "on veut rendre notre pavillon moins énergivore…" after a question on
domestic violence got the violence block and was searched with it. Further turns need to say
it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pierre_rag.conversations import Turn
from pierre_rag.knowledge import followup
from pierre_rag.knowledge.search import contextual_query
from pierre_rag.pipeline.emergencies import Detection, detect_emergencies
from pierre_rag.pipeline.models import Understanding
from pierre_rag.pipeline.understanding import small_talk

SHORT_WORDS = 10  # as the short-message sets (tests/bench/short_messages*.jsonl) count them


@dataclass(frozen=True)
class Ongoing:
    """The emergencies a message is in, and whether it only carries those of the one before."""

    detection: Detection
    carried: bool = False


def ongoing_emergencies(text: str, history: Sequence[Turn]) -> Ongoing:
    """The emergencies ``text`` expresses, else those of the user's message just before it
    when ``text`` goes on with it."""
    detected = detect_emergencies(text)
    if detected or small_talk(text) is not None:
        return Ongoing(detected)
    signals = followup.signals(text, 0, 0.0)
    goes_on = signals.link or signals.pronoun or len(text.split()) <= SHORT_WORDS
    before = _message_before(history)
    if signals.change or not goes_on or before is None:
        return Ongoing(detected)
    carried = detect_emergencies(before)
    return Ongoing(carried, carried=bool(carried))


def searched_with_the_emergency(
    understanding: Understanding, text: str, history: Sequence[Turn]
) -> Understanding:
    """Without an LLM, a message going on with the emergency before it is searched with that
    message as much as alone: "j'ai ouvert les fenêtres, et maintenant ?" after a gas smell,
    searched mostly alone, quoted how to inspect windows on moving in. (An LLM's understanding
    rewrites it whole already.)"""
    if understanding.source != "heuristic" or _message_before(history) is None:
        return understanding
    turns = [{"role": turn.role, "content": turn.content} for turn in history]
    return understanding.model_copy(
        update={"search_queries": [contextual_query(text, turns), text]}
    )


def _message_before(history: Sequence[Turn]) -> str | None:
    return next((turn.content for turn in reversed(history) if turn.role == "user"), None)
