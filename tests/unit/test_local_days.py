"""A landlord's day in its time zone, read from the index of UTC days."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from pierre_rag.conversations import Turn
from pierre_rag.landlords import ContextConfig, LandlordConfig
from pierre_rag.local_days import conversations_of_local_day, day_bounds, utc_days
from pierre_rag.money import USD_TO_EUR, euros
from pierre_rag.storage.memory import MemoryConversations

PARIS = ZoneInfo("Europe/Paris")
MARTINIQUE = ZoneInfo("America/Martinique")
MIDNIGHT_25_UTC = 1_795_564_800_000  # 2026-11-25T00:00:00Z
HOUR = 3_600_000


def _store(*starts: int) -> MemoryConversations:
    store = MemoryConversations()
    for index, start in enumerate(starts):
        store.record_user_turn(
            f"c{index}",
            Turn("user", "question", f"m{index}", start),
            landlord="exemple-hlm.fr",
            context="default",
            channel="web",
            retention_days=30,
        )
    return store


def test_a_paris_day_starts_at_23_00_utc_in_winter_and_spans_two_utc_days() -> None:
    start, end = day_bounds("2026-11-25", PARIS)
    assert (start, end) == (MIDNIGHT_25_UTC - HOUR, MIDNIGHT_25_UTC + 23 * HOUR)
    assert utc_days(start, end) == ["2026-11-25", "2026-11-24"]
    assert utc_days(*day_bounds("2026-11-25", UTC)) == ["2026-11-25"]
    # summer time: midnight in Paris is 22:00 UTC
    assert day_bounds("2026-07-01", PARIS)[0] % (24 * HOUR) == 22 * HOUR


def test_a_local_day_is_listed_newest_first_across_its_utc_days_page_by_page() -> None:
    # Given conversations around the Paris day of 2026-11-25 (UTC: 24th 22:30 … 25th 23:30)
    store = _store(
        MIDNIGHT_25_UTC - 90 * 60_000,  # c0: the 24th in Paris
        MIDNIGHT_25_UTC - 30 * 60_000,  # c1: 00:30 on the 25th in Paris
        MIDNIGHT_25_UTC + HOUR,  # c2
        MIDNIGHT_25_UTC + 22 * HOUR + 30 * 60_000,  # c3: 23:30 on the 25th in Paris
        MIDNIGHT_25_UTC + 23 * HOUR + 30 * 60_000,  # c4: the 26th in Paris
    )

    # when it is read two at a time
    seen: list[str] = []
    after = ""
    for _ in range(4):
        page, after = conversations_of_local_day(
            store, "exemple-hlm.fr", "2026-11-25", PARIS, limit=2, after=after
        )
        seen += [meta.conversation_id for meta in page]
        if not after:
            break

    # then it holds exactly the conversations of that day in Paris
    assert seen == ["c3", "c2", "c1"]
    martinique, _ = conversations_of_local_day(store, "exemple-hlm.fr", "2026-11-25", MARTINIQUE)
    assert [meta.conversation_id for meta in martinique] == ["c4", "c3"]  # 04:00–04:00 UTC


def test_a_landlord_names_an_iana_time_zone_paris_by_default() -> None:
    contexts = {"default": ContextConfig()}
    assert LandlordConfig(id="exemple-hlm.fr", name="E", contexts=contexts).zone == PARIS
    with pytest.raises(ValidationError, match="IANA time zone"):
        LandlordConfig(id="exemple-hlm.fr", name="E", contexts=contexts, time_zone="Paris")


def test_costs_convert_at_one_rate() -> None:
    assert euros(2.0, 0.5) == 1.0
    assert euros(1.0) == USD_TO_EUR
