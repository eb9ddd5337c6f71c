"""The few CloudFormation intrinsic functions template.yaml's optional parts use, evaluated for
given parameter values: what a stack created with those values would hold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def evaluate(node: Any, values: Mapping[str, Any], conditions: Mapping[str, Any]) -> Any:
    """``node`` with ``Ref`` to a parameter of ``values``, ``Fn::Join``, ``Fn::Equals``,
    ``Fn::Not``, ``Fn::And`` and ``Fn::If`` (over ``conditions``) worked out."""
    if isinstance(node, dict) and len(node) == 1:
        ((function, argument),) = node.items()
        if function == "Ref" and argument in values:
            return values[argument]
        if function == "Fn::Join":
            return argument[0].join(evaluate(argument[1], values, conditions))
        if function == "Fn::Equals":
            left, right = (evaluate(item, values, conditions) for item in argument)
            return left == right
        if function == "Fn::Not":
            return not evaluate(argument[0], values, conditions)
        if function == "Fn::And":
            return all(evaluate(item, values, conditions) for item in argument)
        if function == "Fn::If":
            name, yes, no = argument
            chosen = yes if evaluate(conditions[name], values, conditions) else no
            return evaluate(chosen, values, conditions)
    if isinstance(node, dict):
        return {key: evaluate(value, values, conditions) for key, value in node.items()}
    if isinstance(node, list):
        return [evaluate(item, values, conditions) for item in node]
    return node
