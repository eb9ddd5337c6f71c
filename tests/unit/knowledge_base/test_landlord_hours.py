"""The example landlord's handoff gives the same opening hours as its own hours article.

Both are written by hand in two files; the assistant shows the first under every answer it
cannot give and quotes the second when asked, so a tenant told two different schedules cannot
know which to trust. The schedules are compared as parsed days and time ranges, not as text.
"""

from __future__ import annotations

import re

import pytest

from pierre_rag.landlords import load_landlord_file
from tests.helpers import REPO_ROOT

LANDLORD_DIR = REPO_ROOT / "knowledge" / "pierre-habitat.fr"
HOURS_ARTICLE = LANDLORD_DIR / "public" / "agences-et-horaires.md"
HOURS_HEADING = "## Quels sont les horaires d'ouverture ?"
AGENCIES_SENTENCE = "Les agences vous accueillent"

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_DAY_SPAN = re.compile(rf"du ({'|'.join(DAYS)}) au ({'|'.join(DAYS)})")
_TIME = r"(\d{1,2}) h(?: ?(\d{2}))?"
_TIME_RANGE = re.compile(rf"{_TIME}\s*(?:à|–|-)\s*{_TIME}")

Schedule = tuple[tuple[str, ...], tuple[tuple[int, int], ...]]


def parse_schedule(text: str) -> Schedule:
    """Days and (start, end) ranges in minutes from French text such as « du lundi au
    vendredi, de 8 h 30 à 12 h et de 13 h 30 à 17 h 30 »."""
    span = _DAY_SPAN.search(text)
    if span is None:
        raise ValueError(f"no « du … au … » day span in {text!r}")
    first, last = DAYS.index(span.group(1)), DAYS.index(span.group(2))
    ranges = tuple(
        (int(h1) * 60 + int(m1 or 0), int(h2) * 60 + int(m2 or 0))
        for h1, m1, h2, m2 in _TIME_RANGE.findall(text)
    )
    if not ranges:
        raise ValueError(f"no time range in {text!r}")
    return DAYS[first : last + 1], ranges


def agencies_sentence(markdown: str) -> str:
    """The sentence giving the agencies' hours, in the section that answers « quand ? »."""
    section = markdown.split(HOURS_HEADING, 1)[1].split("\n## ", 1)[0]
    return next(s for s in re.split(r"(?<=\.)\s+", section) if AGENCIES_SENTENCE in s)


def test_the_handoff_hours_match_the_hours_article() -> None:
    # given the example landlord's tenant handoff and its public hours article
    landlord = load_landlord_file(LANDLORD_DIR / "landlord.yaml", LANDLORD_DIR.name)
    handoff = landlord.contexts["default"].handoff
    assert handoff is not None and handoff.hours
    article = HOURS_ARTICLE.read_text(encoding="utf-8")

    # when both schedules are parsed
    from_config = parse_schedule(handoff.hours)
    from_article = parse_schedule(agencies_sentence(article))

    # then they give the same days and the same ranges
    assert from_config == from_article


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "du lundi au vendredi, de 8 h 30 à 12 h et de 13 h 30 à 17 h 30",
            (DAYS[:5], ((510, 720), (810, 1050))),
        ),
        ("du lundi au vendredi, 8 h 30 – 17 h 30", (DAYS[:5], ((510, 1050),))),
        ("du mardi au samedi, de 9 h à 17 h", (DAYS[1:6], ((540, 1020),))),
    ],
)
def test_a_schedule_is_parsed_into_days_and_ranges(text: str, expected: Schedule) -> None:
    # given a French opening-hours text
    # when it is parsed
    # then its days and ranges in minutes come out
    assert parse_schedule(text) == expected


def test_a_drifted_handoff_would_be_caught() -> None:
    # given the article's sentence and the single range the handoff used to give
    article = HOURS_ARTICLE.read_text(encoding="utf-8")
    drifted = "du lundi au vendredi, 8 h 30 – 17 h 30"

    # when both are parsed
    # then they differ: the lunch break is missing from the handoff
    assert parse_schedule(drifted) != parse_schedule(agencies_sentence(article))


@pytest.mark.parametrize("text", ["tous les jours", "du lundi au vendredi, sur rendez-vous"])
def test_text_without_days_or_hours_is_refused(text: str) -> None:
    # given a text missing the day span or any time range
    # when it is parsed
    # then it is refused rather than read as an empty schedule
    with pytest.raises(ValueError):
        parse_schedule(text)
