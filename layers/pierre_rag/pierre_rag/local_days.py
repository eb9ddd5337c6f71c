"""A landlord's days in its own time zone, read from the index of UTC days.

The ``by-tenant-day`` index groups conversations by the UTC day they started (deployed tables
hold data: its keys never change). Staff in Paris mean their own day, from midnight to
midnight in Paris: that day spans two UTC days (one or two hours of the day before), so it is
read from both, newest first, keeping the conversations that started within its bounds. A
listing cursor is the last conversation's ``<created ms>:<id>``, so the UTC day to go on in is
the cursor's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import islice

from pierre_rag.conversations import ConversationMeta, day_cursor
from pierre_rag.storage.ports import ConversationRepository

PAGE_SIZE = 500  # conversations per Query while walking a day


def day_bounds(day: str, zone: tzinfo) -> tuple[int, int]:
    """The epoch milliseconds ``[start, end)`` of ``day`` (YYYY-MM-DD) in ``zone``."""
    first = date.fromisoformat(day)
    start = datetime.combine(first, time(), tzinfo=zone)
    end = datetime.combine(first + timedelta(days=1), time(), tzinfo=zone)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def local_day(epoch_ms: int, zone: tzinfo) -> str:
    """The day (YYYY-MM-DD) an instant falls on in ``zone``."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=zone).date().isoformat()


def today(now_s: float, zone: tzinfo) -> str:
    return local_day(int(now_s * 1000), zone)


def _utc_day(epoch_ms: int) -> str:
    return local_day(epoch_ms, UTC)


def utc_days(start_ms: int, end_ms: int) -> list[str]:
    """The UTC days the instants ``[start_ms, end_ms)`` fall on, newest first."""
    first = date.fromisoformat(_utc_day(start_ms))
    last = date.fromisoformat(_utc_day(end_ms - 1))
    return [(last - timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _newest_first(
    store: ConversationRepository, landlord: str, day: str, zone: tzinfo, after: str
) -> Iterator[ConversationMeta]:
    start, end = day_bounds(day, zone)
    days = utc_days(start, end)
    if after:
        cursor_day = _utc_day(int(after.partition(":")[0]))
        days = [utc_day for utc_day in days if utc_day <= cursor_day]
    for index, utc_day in enumerate(days):
        cursor = after if index == 0 else ""
        while True:
            metas, cursor = store.conversations_of_day(
                landlord, utc_day, limit=PAGE_SIZE, after=cursor
            )
            for meta in metas:
                if meta.created_ms < start:
                    return
                if meta.created_ms < end:
                    yield meta
            if not cursor:
                break


def conversations_of_local_day(
    store: ConversationRepository,
    landlord: str,
    day: str,
    zone: tzinfo,
    *,
    limit: int = 50,
    after: str = "",
) -> tuple[list[ConversationMeta], str]:
    """A landlord's conversations started on ``day`` in ``zone``, newest first: up to ``limit``
    after the cursor ``after``, and the cursor of the next page ("" when none follows)."""
    found = list(islice(_newest_first(store, landlord, day, zone, after), limit + 1))
    page = found[:limit]
    return page, day_cursor(page[-1]) if len(found) > limit else ""


def metas_of_local_day(
    store: ConversationRepository, landlord: str, day: str, zone: tzinfo
) -> list[ConversationMeta]:
    """Every conversation started on ``day`` in ``zone``, newest first."""
    return list(_newest_first(store, landlord, day, zone, ""))
