"""What counts as an LLM error, a fallback or a validated answer in one turn: the one
definition.

The operations metrics (:mod:`pierre_rag.metrics`) count them as CloudWatch metrics, and the
conversation store keeps the same signals on each answer and adds them up in the
conversation's META, which the admin statistics read (:mod:`pierre_rag.stats`): both see the
same turn the same way.

- ``llm_error``: at least one LLM call of the turn failed (understanding or generation,
  including an answer cut short).
- ``llm_fallback``: the turn went on without the LLM it has (the local heuristic understood,
  or the answer was written from excerpts), because a call failed.
- ``extractive_fallback``: the answer was written from excerpts because generation failed
  before its first word (a landlord without an LLM answers extractively by design: no
  fallback).
- ``validated_answer``: the answer was one staff validated (:mod:`pierre_rag.review`), served
  instead of a search.

A turn whose answer could not be given at all is the ``error`` *outcome*, not a signal.
"""

from __future__ import annotations

from enum import StrEnum

from pierre_rag.pipeline.models import AnswerResult


class Signal(StrEnum):
    LLM_ERROR = "llm_error"
    LLM_FALLBACK = "llm_fallback"
    EXTRACTIVE_FALLBACK = "extractive_fallback"
    VALIDATED_ANSWER = "validated_answer"


SIGNALS = tuple(Signal)
FALLBACK_STAGES = frozenset({"understanding", "generation"})


def turn_signals(result: AnswerResult) -> list[Signal]:
    """The signals of one answered turn, in :data:`SIGNALS` order (none for a replay)."""
    failures = set(result.llm_failures)
    raised = {
        Signal.LLM_ERROR: bool(failures),
        Signal.LLM_FALLBACK: bool(failures & FALLBACK_STAGES),
        Signal.EXTRACTIVE_FALLBACK: "generation" in failures and result.mode == "extractive",
        Signal.VALIDATED_ANSWER: result.mode == "validated",
    }
    return [signal for signal in SIGNALS if raised[signal] and not result.replayed]
