"""Conversation store on DynamoDB (moto), with the table created from template.yaml."""

from __future__ import annotations

import json
import time

import pytest

from pierre_rag.conversations import (
    ConversationMismatchError,
    ConversationNotFoundError,
    ConversationStore,
    DuplicateMessageError,
    Turn,
)
from tests.conftest import CONVERSATIONS_TABLE

LANDLORD = "exemple-hlm.fr"


@pytest.fixture
def store(dynamodb):
    return ConversationStore(dynamodb, CONVERSATIONS_TABLE)


def _ask(store, conversation="c1", message="m1", text="Bonjour", at=None, context="default"):
    turn = Turn("user", text, message, at or int(time.time() * 1000))
    store.record_user_turn(
        conversation, turn, landlord=LANDLORD, context=context, channel="web", retention_days=30
    )
    return turn


def _answer(store, question: Turn, text="Réponse", conversation="c1"):
    answer = Turn(
        "assistant",
        text,
        question.message_id,
        question.created_ms + 5,
        sources=[{"file": "a.md", "heading": "H"}],
        outcome="answered",
        prompt_tokens=10,
        completion_tokens=5,
        cost_usd=0.001,
    )
    store.record_answer(conversation, answer, retention_days=30)
    return answer


def test_turns_come_back_in_order_with_their_attributes(store):
    question = _ask(store, at=1_000)
    _answer(store, question)
    later = _ask(store, message="m2", text="Et ensuite ?", at=2_000)

    turns = store.last_turns("c1", limit=10)

    assert [(t.role, t.content) for t in turns] == [
        ("user", "Bonjour"),
        ("assistant", "Réponse"),
        ("user", "Et ensuite ?"),
    ]
    assert turns[1].sources == [{"file": "a.md", "heading": "H"}]
    assert store.last_turns("c1", limit=1)[0].message_id == later.message_id


def test_a_retried_message_is_stored_once_and_returns_the_stored_answer(store):
    question = _ask(store)
    answer = _answer(store, question)

    with pytest.raises(DuplicateMessageError) as raised:
        _ask(store, at=question.created_ms + 999)

    assert raised.value.answer is not None
    assert raised.value.answer.content == answer.content
    assert len(store.all_turns("c1")) == 2
    assert store.get_meta("c1").turn_count == 2


def test_answering_a_message_never_received_fails_and_stores_nothing(store):
    _ask(store)
    stray = Turn("assistant", "Réponse", "never-asked", int(time.time() * 1000))

    with pytest.raises(ConversationNotFoundError):
        store.record_answer("c1", stray, retention_days=30)
    with pytest.raises(ConversationNotFoundError):
        store.record_answer("no-such-conversation", stray, retention_days=30)

    assert [t.role for t in store.all_turns("c1")] == ["user"]
    assert store.get_meta("c1").turn_count == 1


def test_a_conversation_cannot_switch_context(store):
    _ask(store)

    with pytest.raises(ConversationMismatchError):
        _ask(store, message="m2", context="staff")


def test_a_message_id_replayed_against_another_landlords_conversation_is_refused(store):
    # Given: a message answered in landlord A's conversation
    question = _ask(store)
    _answer(store, question)

    # When: the same conversation and message ids arrive for landlord B
    # Then: it is a mismatch, never a replay of A's answer, and nothing is stored
    with pytest.raises(ConversationMismatchError):
        turn = Turn("user", "Bonjour", question.message_id, question.created_ms + 1)
        store.record_user_turn(
            "c1", turn, landlord="other-hlm.fr", context="default", channel="web", retention_days=30
        )
    assert len(store.all_turns("c1")) == 2


def test_the_summary_item_keeps_no_per_message_data(store, dynamodb):
    # Given: a conversation of many messages
    for index in range(50):
        _answer(store, _ask(store, message=f"m{index:04d}", at=1_000 + index))

    # When: its summary item (META) is read raw
    meta = dynamodb.get_item(
        TableName=CONVERSATIONS_TABLE, Key={"pk": {"S": "CONV#c1"}, "sk": {"S": "META"}}
    )["Item"]

    # Then: no attribute holds one entry per message id (it grew until DynamoDB refused it)
    assert "message_ids" not in meta
    assert all("m0049" not in json.dumps(value) for value in meta.values())


def test_every_item_expires_with_the_retention(store, dynamodb):
    _ask(store)

    items = dynamodb.query(
        TableName=CONVERSATIONS_TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "CONV#c1"}},
    )["Items"]

    assert len(items) == 3  # META, the user turn and the message's receipt
    for item in items:
        expires = int(item["expires_at"]["N"])
        assert 29 * 86400 < expires - time.time() <= 30 * 86400


def test_scores_and_listing_by_day(store):
    question = _ask(store, at=1_795_615_331_000)  # 2026-11-25
    _answer(store, question)
    _ask(store, conversation="c2", at=1_795_615_332_000)
    store.set_customer_score("c1", 1, "merci")
    store.set_organisation_score("c1", 3, None)

    metas, after = store.conversations_of_day(LANDLORD, "2026-11-25")

    assert [m.conversation_id for m in metas] == ["c2", "c1"]  # newest first
    assert after == ""
    c1 = metas[1]
    assert (c1.customer_score, c1.customer_comment, c1.organisation_score) == (1, "merci", 3)
    assert c1.outcomes == {"answered": 1}
    assert c1.tokens == 15
    assert store.conversations_of_day("autre-hlm.fr", "2026-11-25")[0] == []


def test_scoring_an_unknown_conversation_fails_clearly(store):
    with pytest.raises(ConversationNotFoundError):
        store.set_customer_score("nope", 1, None)


def test_delete_removes_everything(store):
    question = _ask(store)
    _answer(store, question)

    deleted = store.delete("c1")

    assert deleted == 4  # META, both turns, the message's receipt
    assert store.get_meta("c1") is None
    assert store.all_turns("c1") == []
    with pytest.raises(ConversationNotFoundError):
        store.record_answer("c1", Turn("assistant", "x", question.message_id, 1), 30)


def test_answers_add_their_sources_and_latency_to_the_conversation_summary(store):
    question = _ask(store)
    answer = Turn(
        "assistant",
        "R",
        question.message_id,
        question.created_ms + 5,
        sources=[{"file": "a.md"}, {"file": "a.md"}, {"file": "b/c d.md"}],
        latency_ms={"total": 42.5},
    )
    store.record_answer("c1", answer, retention_days=30)
    second = _ask(store, message="m2", at=question.created_ms + 10)
    store.record_answer(
        "c1",
        Turn(
            "assistant",
            "R2",
            second.message_id,
            second.created_ms + 5,
            sources=[{"file": "a.md"}],
            latency_ms={"total": 10.0},
        ),
        retention_days=30,
    )

    meta = store.get_meta("c1")

    assert meta is not None
    assert meta.source_uses == {"a.md": 3, "b/c d.md": 1}
    assert meta.latencies_ms == [42.5, 10.0]


def test_an_answer_without_sources_is_stored_and_counted(store):
    # DynamoDB refuses expression values no expression uses: a refusal cites no source
    question = _ask(store)
    refusal = Turn("assistant", "Hors sujet", question.message_id, question.created_ms + 5)
    refusal.outcome = "off_topic"

    store.record_answer("c1", refusal, retention_days=30)

    meta = store.get_meta("c1")
    assert meta is not None and meta.outcomes == {"off_topic": 1} and meta.source_uses == {}
    assert store.answer_to("c1", question.message_id).content == "Hors sujet"


def test_sources_are_stored_as_one_json_string_and_native_lists_still_read(store, dynamodb):
    question = _ask(store, at=1_000)
    _answer(store, question)
    items = dynamodb.query(
        TableName=CONVERSATIONS_TABLE,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :t)",
        ExpressionAttributeValues={":pk": {"S": "CONV#c1"}, ":t": {"S": "TURN#"}},
    )["Items"]
    stored = next(item for item in items if item["role"]["S"] == "assistant")
    assert json.loads(stored["sources"]["S"]) == [{"file": "a.md", "heading": "H"}]

    # an item written with a native list (older format) reads the same
    stored["sources"] = {"L": [{"M": {"file": {"S": "b.md"}, "heading": {"S": "K"}}}]}
    dynamodb.put_item(TableName=CONVERSATIONS_TABLE, Item=stored)

    assert store.last_turns("c1")[-1].sources == [{"file": "b.md", "heading": "K"}]


def test_the_summary_keeps_the_latencies_of_the_last_answers_only(dynamodb):
    # Given: a store keeping the latencies of the last 4 answers
    store = ConversationStore(dynamodb, CONVERSATIONS_TABLE, latency_window=4)

    # When: 12 messages are answered, each slower than the one before
    for index in range(12):
        question = _ask(store, message=f"m{index:02d}", at=1_000 + index * 10)
        answer = Turn(
            "assistant",
            "Réponse",
            question.message_id,
            question.created_ms + 5,
            latency_ms={"total": float(index)},
        )
        store.record_answer("c1", answer, retention_days=30)

    # Then: META holds at most a window and a quarter of them, the most recent ones
    meta = store.get_meta("c1")
    assert meta is not None
    assert 4 <= len(meta.latencies_ms) <= 5
    assert meta.latencies_ms == [float(i) for i in range(12 - len(meta.latencies_ms), 12)]
    assert meta.turn_count == 24
