"""Bedrock as a landlord's LLM: without BedrockResourceArns no function may invoke a model;
with them, the functions that answer (chat, streamed chat, SMS worker) may invoke exactly
those ARNs, and the others nothing."""

from __future__ import annotations

from typing import Any

import pytest

from pierre_local.template import load_template
from tests.helpers import REPO_ROOT

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
    """The intrinsic functions of the Bedrock condition and policies, for ``arns`` given."""
    if isinstance(node, dict) and len(node) == 1:
        ((function, argument),) = node.items()
        if function == "Ref" and argument == "BedrockResourceArns":
            return arns
        if function == "Fn::Join":
            return argument[0].join(evaluate(argument[1], arns))
        if function == "Fn::Equals":
            return evaluate(argument[0], arns) == evaluate(argument[1], arns)
        if function == "Fn::Not":
            return not evaluate(argument[0], arns)
        if function == "Fn::If":
            name, yes, no = argument
            chosen = yes if evaluate(TEMPLATE["Conditions"][name], arns) else no
            return evaluate(chosen, arns)
    if isinstance(node, dict):
        return {key: evaluate(value, arns) for key, value in node.items()}
    if isinstance(node, list):
        return [evaluate(item, arns) for item in node]
    return node


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
