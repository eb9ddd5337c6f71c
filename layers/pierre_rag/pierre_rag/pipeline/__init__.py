"""The answer pipeline shared by the web and SMS channels (see :mod:`.answer`)."""

from __future__ import annotations

from pierre_rag.pipeline.answer import (
    MessageInProgressError,
    Pipeline,
    PipelineConfig,
    ProtectedContextError,
)
from pierre_rag.pipeline.models import AnswerResult, Outcome, PipelineEvent, Source, TurnRequest

__all__ = [
    "AnswerResult",
    "MessageInProgressError",
    "Outcome",
    "Pipeline",
    "PipelineConfig",
    "PipelineEvent",
    "ProtectedContextError",
    "Source",
    "TurnRequest",
]
