"""The operations metrics as CloudWatch reads them: the EMF JSON Powertools prints, with a
bounded landlord dimension and the all-landlords series beside it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pierre_rag.metrics import (
    OTHER_LANDLORD,
    UNITS,
    EmfRecorder,
    MemoryRecorder,
    Metric,
    OperationsMetrics,
    report_safely,
)
from pierre_rag.pipeline.models import AnswerResult, Outcome

NAMESPACE = "PierreTest"
SERVICE = "pierre-test"
KNOWN = frozenset({"a-hlm.fr"})


def _emf_lines(printed: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in printed.splitlines() if '"_aws"' in line]


def _value(document: dict[str, Any], name: str) -> float:
    """A metric's one value (Powertools prints each as a list of the values recorded)."""
    (value,) = document[name]
    return float(value)


def _metrics(recorder: Any, rate: float = 1.0) -> OperationsMetrics:
    return OperationsMetrics(recorder, lambda: KNOWN, usd_to_eur=rate)


def test_a_turn_prints_one_emf_document_per_landlord_and_for_all(capsys, monkeypatch):
    # Given the EMF recorder (metrics not disabled in this process)
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    metrics = _metrics(EmfRecorder(NAMESPACE, SERVICE), rate=0.5)
    result = AnswerResult(
        text="Un mois.",
        outcome=Outcome.ANSWERED,
        language="fr",
        mode="llm",
        llm_round_trips=2,
        prompt_tokens=100,
        completion_tokens=20,
        cost_usd=0.002,
    )
    result.timings.llm_ms = 812.34

    # When a turn of a known landlord is reported
    metrics.turn("a-hlm.fr", result, llm_configured=True)

    # Then one EMF document: two dimension sets, the landlord's values, units
    (document,) = _emf_lines(capsys.readouterr().out)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == NAMESPACE
    assert sorted(map(sorted, directive["Dimensions"])) == [["landlord", "service"], ["service"]]
    assert (document["landlord"], document["service"]) == ("a-hlm.fr", SERVICE)
    units = {metric["Name"]: metric["Unit"] for metric in directive["Metrics"]}
    assert units["LlmLatency"] == "Milliseconds"
    assert units["Answers"] == "Count"
    assert _value(document, "Answers") == 1
    assert _value(document, "RefusedOffTopic") == 0
    assert _value(document, "LlmFallbacks") == 0
    assert _value(document, "LlmTokens") == 120
    assert _value(document, "LlmLatency") == 812.3
    assert _value(document, "EstimatedCostEur") == pytest.approx(0.001)


def test_an_unknown_landlord_is_reported_under_one_fixed_value(capsys, monkeypatch):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    metrics = _metrics(EmfRecorder(NAMESPACE, SERVICE))

    metrics.sms_failed("anything-a-request-said.example")
    metrics.sms_sent("a-hlm.fr", parts=3)

    failed, sent = _emf_lines(capsys.readouterr().out)
    assert (failed["landlord"], _value(failed, "SmsFailed")) == (OTHER_LANDLORD, 1)
    assert (sent["landlord"], _value(sent, "SmsSent"), _value(sent, "SmsParts")) == (
        "a-hlm.fr",
        1,
        3,
    )


@pytest.mark.parametrize(
    ("status", "metric"),
    [
        ("published", Metric.BUILDS_PUBLISHED),
        ("held", Metric.BUILDS_HELD),
        ("failed", Metric.BUILDS_FAILED),
    ],
)
def test_a_finished_knowledge_build_is_counted_by_its_status(status, metric):
    recorder = MemoryRecorder()

    _metrics(recorder).knowledge_build("a-hlm.fr", status)
    _metrics(recorder).knowledge_build("a-hlm.fr", "unchanged")

    assert recorder.records == [("a-hlm.fr", metric, 1)]


def test_a_dead_letter_move_is_counted_for_its_queue(capsys, monkeypatch):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    metrics = _metrics(EmfRecorder(NAMESPACE, SERVICE))

    metrics.dead_letter_move("a-hlm.fr", "sms")
    metrics.dead_letter_move("a-hlm.fr", "knowledge_build")

    sms, build = _emf_lines(capsys.readouterr().out)
    assert _value(sms, "SmsDeadLetterMoves") == 1
    assert _value(build, "KnowledgeBuildDeadLetterMoves") == 1


def test_every_metric_has_a_unit():
    assert set(UNITS) == set(Metric)


class BrokenRecorder:
    def record(self, landlord: str, measures: Any) -> None:
        raise RuntimeError("stdout closed")


def test_a_failing_recorder_is_logged_and_never_raised(caplog):
    metrics = _metrics(BrokenRecorder())

    metrics.sms_sent("a-hlm.fr", parts=1)

    assert "operations metrics not recorded" in caplog.text


def test_metrics_that_cannot_be_built_are_logged_and_the_handler_goes_on(caplog):
    def unbuildable() -> OperationsMetrics:
        raise FileNotFoundError("no landlord files")

    reported: list[OperationsMetrics] = []

    report_safely(unbuildable, reported.append)

    assert reported == []
    assert "operations metrics not available" in caplog.text
