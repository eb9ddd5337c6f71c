"""A long conversation against DynamoDB Local, which enforces the 400 KB item limit that moto
does not: its summary item must not grow with the number of messages.

Marked slow: 12,000 transactions take 60-90 s on the shared 2-core machine, most of it
boto3's own CPU time (threads share one GIL); with the old per-message set in META the
writes failed from about the 10,000th message on."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from pierre_rag.conversations import ConversationStore, DuplicateMessageError, Turn
from tests.conftest import CONVERSATIONS_TABLE

MESSAGES = 12_000
WORKERS = 4  # bounded: the machine has two cores


def _ask(store: ConversationStore, index: int, message_id: str) -> Turn:
    question = Turn("user", f"question {index}", message_id, 1_000_000 + index * 10)
    store.record_user_turn(
        "long",
        question,
        landlord="exemple-hlm.fr",
        context="default",
        channel="web",
        retention_days=30,
    )
    return question


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_conversation_of_12000_messages_keeps_accepting_and_replaying(dynamodb: Any) -> None:
    # Given: one conversation that receives 12,000 messages (ids as the widget makes them)
    store = ConversationStore(dynamodb, CONVERSATIONS_TABLE)
    ids = [str(uuid.uuid4()) for _ in range(MESSAGES)]

    first = _ask(store, 0, ids[0])
    answer = Turn("assistant", "réponse 0", ids[0], first.created_ms + 5)
    store.record_answer("long", answer, retention_days=30)

    # When: the others are written through the store, a few at a time
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda pair: _ask(store, *pair), list(enumerate(ids))[1:]))

    # Then: every message is stored, the first one is still replayed, the last is answerable
    meta = store.get_meta("long")
    assert meta is not None and meta.turn_count == MESSAGES + 1
    with pytest.raises(DuplicateMessageError) as replay:
        _ask(store, 0, ids[0])
    assert replay.value.answer is not None and replay.value.answer.content == "réponse 0"
    last = Turn("assistant", "réponse", ids[-1], 1_000_000 + MESSAGES * 10)
    store.record_answer("long", last, retention_days=30)
    assert store.answer_to("long", ids[-1]) is not None
