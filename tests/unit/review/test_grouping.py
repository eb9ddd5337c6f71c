"""Backlog grouping: similar questions together, the most asked first."""

from __future__ import annotations

import math

from pierre_rag.review.backlog import BacklogItem, Reason
from pierre_rag.review.grouping import group_questions
from tests.unit.review.fakes import TableEmbedder


def _item(n: int, question: str, reason: Reason = Reason.NOTHING_FOUND) -> BacklogItem:
    return BacklogItem(f"c{n}", f"m{n}", question, asked_ms=1_000 * n, reasons=(reason,))


def _angle(degrees: float) -> list[float]:
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees)), 0.0]


EMBEDDER = TableEmbedder(
    {
        "préavis meublé": _angle(0),
        "préavis location meublée": _angle(20),  # cosine 0.94 with the first
        "quel préavis pour un meublé": _angle(10),
        "chien autorisé": _angle(90),  # orthogonal: another need
    }
)


def test_close_questions_form_one_group_and_a_far_one_its_own():
    # Given three wordings of one need and one question about something else
    items = [
        _item(1, "préavis meublé"),
        _item(2, "chien autorisé", Reason.THUMBS_DOWN),
        _item(3, "préavis location meublée", Reason.LOW_SCORE),
        _item(4, "quel préavis pour un meublé"),
    ]
    vectors = EMBEDDER.embed([item.question for item in items])

    # when they are grouped at 0.9
    groups = group_questions(items, vectors, threshold=0.9)

    # then the three wordings are one group (first: most asked), the other its own
    assert [group.count for group in groups] == [3, 1]
    first, second = groups
    assert sorted(first.keys) == ["c1#m1", "c3#m3", "c4#m4"]
    assert first.representative is not None
    assert first.representative.question == "quel préavis pour un meublé"  # the centre one
    assert first.last_ms == 4_000
    assert first.reasons == {Reason.NOTHING_FOUND: 2, Reason.LOW_SCORE: 1}
    assert second.keys == ["c2#m2"] and second.reasons == {Reason.THUMBS_DOWN: 1}


def test_a_higher_threshold_keeps_the_wordings_apart():
    items = [_item(1, "préavis meublé"), _item(3, "préavis location meublée")]
    vectors = EMBEDDER.embed([item.question for item in items])

    groups = group_questions(items, vectors, threshold=0.95)

    assert [group.count for group in groups] == [1, 1]
    assert [group.keys for group in groups] == [["c3#m3"], ["c1#m1"]]  # newest first


def test_no_item_no_group():
    assert group_questions([], EMBEDDER.embed([]).reshape(0, 4)) == []
