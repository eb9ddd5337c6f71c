"""The review stores' contract: validated answers and handled backlog marks behave the same in
memory and in DynamoDB Local (the key formats, DynamoDB only, are pinned: deployed tables hold
data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from pierre_local.resources import LocalResources
from pierre_rag.review.handled import HandledMark, HandledMarkStore
from pierre_rag.review.validated import (
    ValidatedAnswer,
    ValidatedAnswerExistsError,
    ValidatedAnswerStore,
)
from pierre_rag.storage.items import from_item
from pierre_rag.storage.memory import MemoryHandledMarks, MemoryValidatedAnswers
from pierre_rag.storage.ports import HandledMarkRepository, ValidatedAnswerRepository

LANDLORD = "exemple-hlm.fr"
OTHER_LANDLORD = "autre-hlm.fr"
SOURCE = {"number": 1, "file": "exemple-hlm.fr/public/agence.md", "title": "Agence"}


@dataclass
class Backend:
    validated: ValidatedAnswerRepository
    handled: HandledMarkRepository


@pytest.fixture(params=["memory", "dynamodb"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "memory":
        return Backend(MemoryValidatedAnswers(), MemoryHandledMarks())
    client = request.getfixturevalue("dynamodb")
    table = LocalResources.physical_name("ConversationsTable")
    return Backend(ValidatedAnswerStore(client, table), HandledMarkStore(client, table))


def _answer(answer_id: str = "a1", landlord: str = LANDLORD, **kwargs: Any) -> ValidatedAnswer:
    return ValidatedAnswer(
        answer_id=answer_id,
        landlord=landlord,
        question=kwargs.pop("question", "Horaires de l'agence ?"),
        answer="De 9 h à 17 h.",
        validated_by=f"staff@{landlord}",
        validated_ms=1_795_600_000_000,
        **kwargs,
    )


def test_a_validated_answer_is_read_back_as_stored_by_its_landlord_only(backend):
    stored = _answer(sources=[SOURCE], language="en", conversation_id="c1", message_id="m1")
    backend.validated.add(stored)
    backend.validated.add(_answer("b2", OTHER_LANDLORD))

    assert backend.validated.of_landlord(LANDLORD) == [stored]
    assert [a.answer_id for a in backend.validated.of_landlord(OTHER_LANDLORD)] == ["b2"]


def test_an_answer_id_is_stored_once(backend):
    backend.validated.add(_answer())

    with pytest.raises(ValidatedAnswerExistsError):
        backend.validated.add(_answer(question="autre"))

    assert [a.question for a in backend.validated.of_landlord(LANDLORD)] == [
        "Horaires de l'agence ?"
    ]


def test_a_validated_answer_is_deleted_by_its_landlord_only(backend):
    backend.validated.add(_answer())

    assert backend.validated.delete(OTHER_LANDLORD, "a1") is False
    assert backend.validated.delete(LANDLORD, "a1") is True
    assert backend.validated.delete(LANDLORD, "a1") is False
    assert backend.validated.of_landlord(LANDLORD) == []


def test_handled_marks_are_recorded_once_per_landlord(backend):
    first = [HandledMark("c1", "m1", "a@x", 10), HandledMark("c2", "m2", "a@x", 10)]

    assert backend.handled.mark(LANDLORD, first, expires_at=2_000_000_000) == 2
    # marked again (another staff member, later): the first mark stays, nothing new
    again = [HandledMark("c1", "m1", "b@x", 20), HandledMark("c3", "m3", "b@x", 20)]
    assert backend.handled.mark(LANDLORD, again, expires_at=2_000_000_000) == 1

    assert backend.handled.handled(LANDLORD) == {"c1#m1", "c2#m2", "c3#m3"}
    assert backend.handled.handled(OTHER_LANDLORD) == set()


def test_the_stored_keys_are_pinned(dynamodb):
    table = LocalResources.physical_name("ConversationsTable")
    ValidatedAnswerStore(dynamodb, table).add(_answer())
    HandledMarkStore(dynamodb, table).mark(
        LANDLORD, [HandledMark("c1", "m1", "a@x", 10)], expires_at=2_000_000_000
    )

    items = [from_item(item) for item in dynamodb.scan(TableName=table)["Items"]]
    keys = {(item["pk"], item["sk"]) for item in items}
    assert keys == {(f"VALIDATED#{LANDLORD}", "ANSWER#a1"), (f"HANDLED#{LANDLORD}", "c1#m1")}
    validated = next(item for item in items if item["pk"].startswith("VALIDATED#"))
    assert "expires_at" not in validated  # kept until staff delete it
    handled = next(item for item in items if item["pk"].startswith("HANDLED#"))
    assert handled["expires_at"] == 2_000_000_000
