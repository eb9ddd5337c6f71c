"""The alarms of template.yaml cover what can fail unseen: every dead-letter queue, every
function's errors and throttles; the metric alarms watch metrics the code emits; every alarm
reaches the topic, directly or through the composite alarm."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pierre_local.template import load_template
from pierre_rag.metrics import Metric
from tests.helpers import REPO_ROOT

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
GLOBAL_ENV: dict[str, Any] = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]


def _of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource.get("Properties") or {}
        for name, resource in RESOURCES.items()
        if resource.get("Type") == kind
    }


ALARMS = _of_type("AWS::CloudWatch::Alarm")
FUNCTIONS = _of_type("AWS::Serverless::Function")
QUEUES = _of_type("AWS::SQS::Queue")


def _dead_letter_queues() -> set[str]:
    return {
        props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for props in QUEUES.values()
        if "RedrivePolicy" in props
    }


def _watching(metric: str, dimension: str, value: Any) -> list[dict[str, Any]]:
    """The single-metric alarms on ``metric`` whose ``dimension`` is ``value``."""
    return [
        props
        for props in ALARMS.values()
        if props.get("MetricName") == metric
        and {"Name": dimension, "Value": value} in props.get("Dimensions", [])
    ]


def test_the_template_has_dead_letter_queues():
    assert _dead_letter_queues() == {"SmsDeadLetterQueue", "KnowledgeBuildDeadLetterQueue"}


@pytest.mark.parametrize("queue", sorted(_dead_letter_queues()))
def test_every_dead_letter_queue_alarms_from_its_first_message(queue):
    (alarm,) = _watching(
        "ApproximateNumberOfMessagesVisible", "QueueName", {"Fn::GetAtt": [queue, "QueueName"]}
    )

    assert alarm["Namespace"] == "AWS/SQS"
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (
        1,
        "GreaterThanOrEqualToThreshold",
    )


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_an_errors_and_a_throttles_alarm(function, metric):
    (alarm,) = _watching(metric, "FunctionName", {"Ref": function})

    assert alarm["Namespace"] == "AWS/Lambda"
    assert alarm["Threshold"] == 1


URL_FUNCTIONS = sorted(name for name, props in FUNCTIONS.items() if "FunctionUrlConfig" in props)


def test_the_streamed_turn_is_the_one_function_with_a_url():
    assert URL_FUNCTIONS == ["ChatStreamFunction"]


@pytest.mark.parametrize("function", URL_FUNCTIONS)
def test_every_function_url_has_a_5xx_rate_alarm(function):
    # a 5xx its app answers is no Lambda error: only the URL's own metrics show it
    watched = [
        {stat["Metric"]["MetricName"] for stat in stats}
        for props in ALARMS.values()
        for stats in [[m["MetricStat"] for m in props.get("Metrics", []) if "MetricStat" in m]]
        if any(
            {"Name": "FunctionName", "Value": {"Ref": function}} in stat["Metric"]["Dimensions"]
            for stat in stats
        )
    ]

    assert {"Url5xxCount", "UrlRequestCount"} in watched


def _metric_stats() -> list[dict[str, Any]]:
    """Every metric an alarm reads: its own, or those of its metric math."""
    stats = []
    for props in ALARMS.values():
        if "MetricName" in props:
            stats.append(props)
        for query in props.get("Metrics", []):
            if "MetricStat" in query:
                stats.append(query["MetricStat"]["Metric"])
    return stats


def test_the_alarms_on_our_metrics_watch_names_the_code_emits_in_its_namespace():
    ours = [stat for stat in _metric_stats() if not stat["Namespace"].startswith("AWS/")]

    assert {stat["MetricName"] for stat in ours} == {
        Metric.LLM_FALLBACKS.value,
        Metric.LLM_TURNS.value,
        Metric.BUILDS_FAILED.value,
    }
    for stat in ours:
        assert stat["Namespace"] == GLOBAL_ENV["POWERTOOLS_METRICS_NAMESPACE"]
        # the all-landlords series: the service dimension alone
        assert stat["Dimensions"] == [
            {"Name": "service", "Value": GLOBAL_ENV["POWERTOOLS_SERVICE_NAME"]}
        ]


def test_every_alarm_reaches_the_topic_directly_or_through_the_composite_alarm():
    (composite,) = _of_type("AWS::CloudWatch::CompositeAlarm").values()
    in_rule = set(re.findall(r'ALARM\("\$\{(\w+)\}"\)', composite["AlarmRule"]["Fn::Sub"]))

    assert composite["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert in_rule <= set(ALARMS)
    for name, props in ALARMS.items():
        direct = {"Ref": "AlarmTopic"} in props.get("AlarmActions", [])
        assert direct != (name in in_rule), name  # one way only: never two mails


def test_the_email_subscription_exists_only_when_an_address_is_given():
    subscription = RESOURCES["AlarmEmailSubscription"]

    assert subscription["Condition"] == "HasAlarmEmail"
    assert TEMPLATE["Parameters"]["AlarmEmail"]["Default"] == ""
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
