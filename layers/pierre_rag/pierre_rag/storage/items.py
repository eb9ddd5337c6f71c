"""Python values to DynamoDB attribute values and back: the one marshalling of every store.

Writing: floats become ``Decimal`` (DynamoDB has no float) and ``None`` attributes are left
out. Reading: numbers come back as ``int`` when whole, else ``float``, never ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

if TYPE_CHECKING:
    from types_boto3_dynamodb.type_defs import AttributeValueTypeDef

    AttributeValue = AttributeValueTypeDef
else:
    AttributeValue = dict

Item = dict[str, "AttributeValue"]

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def _storable(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: _storable(inner) for key, inner in value.items() if inner is not None}
    if isinstance(value, list):
        return [_storable(inner) for inner in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    return value


def attribute(value: Any) -> AttributeValue:
    """One value as a DynamoDB attribute value (``"x"`` → ``{"S": "x"}``)."""
    serialized: AttributeValue = _SERIALIZER.serialize(_storable(value))
    return serialized


def to_item(attributes: Mapping[str, Any]) -> Item:
    """A mapping of Python values as a DynamoDB item (also keys and expression values);
    ``None`` values are left out."""
    return {key: attribute(value) for key, value in attributes.items() if value is not None}


def value_of(attribute_value: Any) -> Any:
    """One DynamoDB attribute value (as a response gives it) as a plain Python value."""
    return _plain(_DESERIALIZER.deserialize(attribute_value))


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as plain Python values."""
    return {key: value_of(value) for key, value in item.items()}
