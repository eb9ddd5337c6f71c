"""Build ids sort by the time of their request and fit ``Build.id``."""

from __future__ import annotations

import pytest

from pierre_rag.publishing.ids import new_build_id
from pierre_rag.publishing.models import Build, BuildMessage, BuildStatus


def test_a_build_id_is_its_milliseconds_then_eight_hex_digits() -> None:
    # When an id is made for a request at a given time
    build_id = new_build_id(1_796_000_000_123)

    # then it starts with the 13-digit time, ends with 8 lowercase hex digits, and fits Build
    assert build_id[:13] == "1796000000123"
    assert len(build_id) == 21
    assert all(c in "0123456789abcdef" for c in build_id[13:])
    build = Build(
        landlord="exemple-hlm.fr",
        id=build_id,
        status=BuildStatus.QUEUED,
        requested_ms=1_796_000_000_123,
        requested_by="seed",
    )
    assert build.id == build_id
    assert BuildMessage(landlord="exemple-hlm.fr", build_id=build_id, actor="seed")


def test_build_ids_sort_by_time_even_across_digit_counts() -> None:
    # Given ids of requests at increasing times, one early enough to be zero-padded
    times = [999, 1_796_000_000_000, 1_796_000_000_001, 1_796_000_001_000]

    # then their order as strings (the table's sort key) is their order in time
    ids = [new_build_id(ms) for ms in times]
    assert sorted(ids) == ids
    assert ids[0].startswith("0000000000999")


@pytest.mark.parametrize("now_ms", [-1, 10**13])
def test_a_time_outside_thirteen_digits_is_refused(now_ms: int) -> None:
    with pytest.raises(ValueError, match="must be 0"):
        new_build_id(now_ms)
