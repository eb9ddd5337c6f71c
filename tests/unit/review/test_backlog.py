"""The backlog's items: which questions of a window are to improve on, and why."""

from __future__ import annotations

from pierre_rag.conversations import AnswerReview, Turn
from pierre_rag.review.backlog import DAY_MS, Reason, recent_items
from pierre_rag.storage.memory import MemoryConversations

LANDLORD = "exemple-hlm.fr"
NOW_MS = 1_795_600_000_000  # 2026-11-25


def _exchange(
    store: MemoryConversations,
    conversation: str,
    message: str,
    at_ms: int,
    *,
    outcome: str = "answered",
    landlord: str = LANDLORD,
    question: str = "une question",
) -> None:
    store.record_user_turn(
        conversation,
        Turn("user", question, message, at_ms),
        landlord=landlord,
        context="default",
        channel="web",
        retention_days=90,
    )
    store.record_answer(
        conversation, Turn("assistant", "réponse", message, at_ms + 1, outcome=outcome), 90
    )


def test_each_reason_gives_its_question_and_good_answers_none():
    # Given conversations with every reason, a good one, and an old one
    store = MemoryConversations()
    _exchange(store, "nothing", "m1", NOW_MS - 1000, outcome="nothing_found", question="q1")
    _exchange(store, "refused", "m2", NOW_MS - 2000, outcome="off_topic", question="q2")
    _exchange(store, "thumbs", "m3", NOW_MS - 3000, question="q3a")
    _exchange(store, "thumbs", "m4", NOW_MS - 2500, question="q3b")
    store.set_customer_score("thumbs", -1, None)
    _exchange(store, "scored", "m5", NOW_MS - 4000, question="q5")
    review = AnswerReview("m5", 1, "incomplet", "staff@exemple-hlm.fr", NOW_MS)
    store.set_answer_review("scored", review, landlord=LANDLORD, retention_days=90)
    _exchange(store, "fine", "m6", NOW_MS - 5000, question="q6")
    _exchange(store, "old", "m7", NOW_MS - 31 * DAY_MS, outcome="nothing_found", question="q7")
    _exchange(store, "theirs", "m8", NOW_MS - 100, outcome="nothing_found", landlord="autre.fr")

    # when the backlog's items of the last 30 days are read
    items = recent_items(store, LANDLORD, NOW_MS)

    # then each reason gives its question (a thumbs-down the conversation's last one)
    found = {(item.question, item.reasons) for item in items}
    assert found == {
        ("q1", (Reason.NOTHING_FOUND,)),
        ("q2", (Reason.REFUSED,)),
        ("q3b", (Reason.THUMBS_DOWN,)),
        ("q5", (Reason.LOW_SCORE,)),
    }
    assert {item.key for item in items} >= {"nothing#m1", "scored#m5"}


def test_an_answer_scored_two_is_not_to_improve():
    store = MemoryConversations()
    _exchange(store, "scored", "m1", NOW_MS - 1000)
    review = AnswerReview("m1", 2, None, "staff@exemple-hlm.fr", NOW_MS)
    store.set_answer_review("scored", review, landlord=LANDLORD, retention_days=90)

    assert recent_items(store, LANDLORD, NOW_MS) == []
