"""Bedrock as a landlord's LLM: without BedrockResourceArns no function may invoke a model;
with them, the functions that answer (chat, streamed chat, SMS worker) may invoke exactly
those ARNs, and the others nothing."""

from __future__ import annotations

from typing import Any

import pytest

from pierre_local.template import load_template
from tests.helpers import REPO_ROOT
from tests.unit.infra import intrinsics

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
FUNCTIONS = {
    name: resource["Properties"]
    for name, resource in TEMPLATE["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Function"
}
ANSWERING = {"ChatFunction", "ChatStreamFunction", "SmsWorkerFunction"}
PROFILE = "arn:aws:bedrock:eu-west-3:123456789012:inference-profile/eu.example-model-v1"
MODEL = "arn:aws:bedrock:eu-west-1::foundation-model/example-model-v1"


def evaluate(node: Any, arns: list[str]) -> Any:
    values = {"BedrockResourceArns": arns}
    return intrinsics.evaluate(node, values, TEMPLATE["Conditions"])


def bedrock_resources(function: str, arns: list[str]) -> list[Any]:
    """The resources of ``function``'s statements allowing a Bedrock action."""
    policies = [
        policy
        for policy in evaluate(FUNCTIONS[function].get("Policies", []), arns)
        if policy != {"Ref": "AWS::NoValue"}
    ]
    return [
        statement["Resource"]
        for policy in policies
        if isinstance(policy, dict)
        for statement in policy.get("Statement", [])
        if any(str(action).startswith("bedrock:") for action in statement["Action"])
    ]


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_without_bedrock_arns_no_function_may_invoke_a_model(function):
    assert bedrock_resources(function, [""]) == []


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_with_bedrock_arns_only_the_answering_functions_may_invoke_exactly_them(function):
    expected = [[PROFILE, MODEL]] if function in ANSWERING else []

    assert bedrock_resources(function, [PROFILE, MODEL]) == expected
