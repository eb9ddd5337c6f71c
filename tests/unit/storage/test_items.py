"""The one marshalling of every store: Python values to DynamoDB attribute values and back."""

from __future__ import annotations

from decimal import Decimal

from pierre_rag.storage.items import attribute, from_item, to_item


def test_values_are_written_as_dynamodb_attribute_values() -> None:
    # Given the kinds of values the stores write
    values = {
        "text": "CONV#c1",
        "count": 3,
        "cost": 0.25,
        "flag": True,
        "latencies": [1.5, 2],
        "uses": {"a.md": 1, "dropped": None},
        "absent": None,
    }

    # when they become an item
    item = to_item(values)

    # then numbers are decimal strings, None attributes are left out (at any depth)
    assert item == {
        "text": {"S": "CONV#c1"},
        "count": {"N": "3"},
        "cost": {"N": "0.25"},
        "flag": {"BOOL": True},
        "latencies": {"L": [{"N": "1.5"}, {"N": "2"}]},
        "uses": {"M": {"a.md": {"N": "1"}}},
    }


def test_a_single_none_is_written_as_null_and_a_decimal_keeps_its_digits() -> None:
    # A cleared comment is stored as NULL; the lock-out keeps its milliseconds as written
    assert attribute(None) == {"NULL": True}
    assert attribute(Decimal("1800000000.500")) == {"N": "1800000000.500"}


def test_items_are_read_back_as_plain_values() -> None:
    # Given an item as DynamoDB returns it
    item = {
        "count": {"N": "3"},
        "cost": {"N": "0.25"},
        "text": {"S": "x"},
        "nested": {"M": {"n": {"N": "2"}, "l": {"L": [{"N": "1.5"}]}}},
    }

    # then whole numbers are ints, others floats, never Decimal
    assert from_item(item) == {
        "count": 3,
        "cost": 0.25,
        "text": "x",
        "nested": {"n": 2, "l": [1.5]},
    }
    assert type(from_item(item)["count"]) is int
