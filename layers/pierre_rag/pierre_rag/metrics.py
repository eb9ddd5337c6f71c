"""Operations metrics: the one place that names them.

The pipeline, the SMS worker and the knowledge-build function report through
:class:`OperationsMetrics` (the port); a recorder writes the measures out. In Lambda,
:class:`EmfRecorder` prints them in CloudWatch's embedded metric format through Powertools
(one JSON log line per report, no API call); the unit tests use :class:`MemoryRecorder`.

Every measure has two dimension sets: ``service`` + ``landlord`` (a landlord's dashboard) and
``service`` alone (the all-landlords series the alarms watch). The landlord dimension is
bounded: a landlord id of the registry, else :data:`OTHER_LANDLORD`, never what a request said.

What counts as an LLM error or fallback is :mod:`pierre_rag.pipeline.signals`, which the admin
statistics read too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol

from pierre_rag.pipeline.models import AnswerResult, Outcome
from pierre_rag.pipeline.signals import Signal, turn_signals

logger = logging.getLogger(__name__)

OTHER_LANDLORD = "other"
LANDLORD_DIMENSION = "landlord"


class Metric(StrEnum):
    ANSWERS = "Answers"
    REFUSED_OFF_TOPIC = "RefusedOffTopic"
    REFUSED_ABUSIVE = "RefusedAbusive"
    NO_ANSWER = "NoAnswer"
    HANDOFF_REQUESTS = "HandoffRequests"
    TURN_ERRORS = "TurnErrors"
    EXTRACTIVE_ANSWERS = "ExtractiveAnswers"
    LLM_TURNS = "LlmTurns"  # turns of a landlord with an LLM: the fallback rate's denominator
    LLM_ERRORS = "LlmErrors"
    LLM_FALLBACKS = "LlmFallbacks"
    EXTRACTIVE_FALLBACKS = "ExtractiveFallbacks"
    LLM_LATENCY = "LlmLatency"
    LLM_TOKENS = "LlmTokens"
    ESTIMATED_COST_EUR = "EstimatedCostEur"
    SMS_SENT = "SmsSent"
    SMS_PARTS = "SmsParts"
    SMS_FAILED = "SmsFailed"
    SMS_DEAD_LETTER_MOVES = "SmsDeadLetterMoves"
    BUILD_DEAD_LETTER_MOVES = "KnowledgeBuildDeadLetterMoves"
    BUILDS_PUBLISHED = "KnowledgeBuildsPublished"
    BUILDS_HELD = "KnowledgeBuildsHeld"
    BUILDS_FAILED = "KnowledgeBuildsFailed"


UNITS: dict[Metric, str] = {
    **{metric: "Count" for metric in Metric},
    Metric.LLM_LATENCY: "Milliseconds",
    Metric.ESTIMATED_COST_EUR: "None",
}
OUTCOME_METRICS: dict[Outcome, Metric] = {
    Outcome.ANSWERED: Metric.ANSWERS,
    Outcome.OFF_TOPIC: Metric.REFUSED_OFF_TOPIC,
    Outcome.ABUSIVE: Metric.REFUSED_ABUSIVE,
    Outcome.NOTHING_FOUND: Metric.NO_ANSWER,
    Outcome.HANDOFF: Metric.HANDOFF_REQUESTS,
    Outcome.ERROR: Metric.TURN_ERRORS,
}
SIGNAL_METRICS: dict[Signal, Metric] = {
    Signal.LLM_ERROR: Metric.LLM_ERRORS,
    Signal.LLM_FALLBACK: Metric.LLM_FALLBACKS,
    Signal.EXTRACTIVE_FALLBACK: Metric.EXTRACTIVE_FALLBACKS,
}
BUILD_METRICS: dict[str, Metric] = {
    "published": Metric.BUILDS_PUBLISHED,
    "held": Metric.BUILDS_HELD,
    "failed": Metric.BUILDS_FAILED,
}
DeadLetterQueue = Literal["sms", "knowledge_build"]
DEAD_LETTER_METRICS: dict[DeadLetterQueue, Metric] = {
    "sms": Metric.SMS_DEAD_LETTER_MOVES,
    "knowledge_build": Metric.BUILD_DEAD_LETTER_MOVES,
}


@dataclass(frozen=True)
class Measure:
    metric: Metric
    value: float


class MetricsRecorder(Protocol):
    def record(self, landlord: str, measures: Sequence[Measure]) -> None:
        """Write the measures of one event, under the (bounded) landlord dimension."""


@dataclass
class MemoryRecorder:
    """The measures recorded, for tests."""

    records: list[tuple[str, Metric, float]] = field(default_factory=list)

    def record(self, landlord: str, measures: Sequence[Measure]) -> None:
        self.records.extend((landlord, measure.metric, measure.value) for measure in measures)

    def total(self, metric: Metric, landlord: str | None = None) -> float:
        return sum(
            value
            for recorded_landlord, name, value in self.records
            if name is metric and landlord in (None, recorded_landlord)
        )


class NullRecorder:
    """Outside Lambda (the local stack, evaluations): nothing is written."""

    def record(self, landlord: str, measures: Sequence[Measure]) -> None:
        return None


class EmfRecorder:
    """CloudWatch EMF through Powertools, printed to standard output (the function's log).

    A Powertools ``EphemeralMetrics`` per report, so nothing is shared between reports or
    left over in a warm container."""

    def __init__(self, namespace: str, service: str) -> None:
        self.namespace = namespace
        self.service = service

    def record(self, landlord: str, measures: Sequence[Measure]) -> None:
        if not measures:
            return
        from aws_lambda_powertools.metrics import EphemeralMetrics

        metrics = EphemeralMetrics(namespace=self.namespace, service=self.service)
        metrics.add_dimension(name=LANDLORD_DIMENSION, value=landlord)
        metrics.add_dimensions(service=self.service)  # the all-landlords series
        for measure in measures:
            metrics.add_metric(
                name=measure.metric.value, unit=UNITS[measure.metric], value=measure.value
            )
        metrics.flush_metrics()


class OperationsMetrics:
    """What the functions report. ``known_landlords`` bounds the landlord dimension;
    ``usd_to_eur`` converts the turns' estimated cost (``Settings.usd_to_eur``)."""

    def __init__(
        self,
        recorder: MetricsRecorder,
        known_landlords: Callable[[], Collection[str]],
        *,
        usd_to_eur: float,
    ) -> None:
        self.recorder = recorder
        self.known_landlords = known_landlords
        self.usd_to_eur = usd_to_eur

    def landlord_dimension(self, landlord: str) -> str:
        return landlord if landlord in self.known_landlords() else OTHER_LANDLORD

    def _record(self, landlord: str, measures: Sequence[Measure]) -> None:
        """Metrics never change what a function does: a failure is logged, not raised."""
        try:
            self.recorder.record(self.landlord_dimension(landlord), measures)
        except Exception:
            logger.exception("operations metrics not recorded")

    def turn(self, landlord: str, result: AnswerResult, *, llm_configured: bool) -> None:
        """One answered turn (a replayed answer is not counted again)."""
        if result.replayed:
            return
        self._record(landlord, turn_measures(result, llm_configured, self.usd_to_eur))

    def sms_sent(self, landlord: str, parts: int) -> None:
        self._record(landlord, [Measure(Metric.SMS_SENT, 1), Measure(Metric.SMS_PARTS, parts)])

    def sms_failed(self, landlord: str) -> None:
        """CM refused or could not take an answer (it may be retried)."""
        self._record(landlord, [Measure(Metric.SMS_FAILED, 1)])

    def dead_letter_move(self, landlord: str, queue: DeadLetterQueue) -> None:
        """A message failed its last delivery: SQS moves it to ``queue``'s dead-letter queue."""
        self._record(landlord, [Measure(DEAD_LETTER_METRICS[queue], 1)])

    def knowledge_build(self, landlord: str, status: str) -> None:
        """A build that ended published, held or failed (others are not counted)."""
        metric = BUILD_METRICS.get(status)
        if metric is not None:
            self._record(landlord, [Measure(metric, 1)])


def report_safely(
    metrics: Callable[[], OperationsMetrics], report: Callable[[OperationsMetrics], None]
) -> None:
    """``report`` to the metrics ``metrics()`` builds (a handler's lazy ones), unless they
    cannot be built: then it is logged, and the handler goes on as it would have."""
    try:
        built = metrics()
    except Exception:
        logger.exception("operations metrics not available")
        return
    report(built)


def turn_measures(result: AnswerResult, llm_configured: bool, usd_to_eur: float) -> list[Measure]:
    """Every outcome and signal counter of the turn (0 or 1, so sums and rates need no
    missing-data rule), and the LLM's latency, tokens and cost when it was called."""
    signals = set(turn_signals(result))
    measures = [
        Measure(metric, 1 if result.outcome is outcome else 0)
        for outcome, metric in OUTCOME_METRICS.items()
    ]
    measures.append(Measure(Metric.EXTRACTIVE_ANSWERS, 1 if result.mode == "extractive" else 0))
    if llm_configured:
        measures.append(Measure(Metric.LLM_TURNS, 1))
        measures.extend(
            Measure(metric, 1 if signal in signals else 0)
            for signal, metric in SIGNAL_METRICS.items()
        )
    if result.llm_round_trips:
        measures.append(Measure(Metric.LLM_LATENCY, round(result.timings.llm_ms, 1)))
        measures.append(Measure(Metric.LLM_TOKENS, result.prompt_tokens + result.completion_tokens))
        measures.append(Measure(Metric.ESTIMATED_COST_EUR, result.cost_usd * usd_to_eur))
    return measures
