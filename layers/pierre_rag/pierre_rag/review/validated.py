"""Validated answers: an answer staff reviewed, edited if needed, and validated for its
question. Stored per landlord in the conversations table (no ``expires_at``: they are kept
until staff delete them); one landlord's are never read for another.

Items: ``pk = VALIDATED#<landlord>``, ``sk = ANSWER#<id>`` (the key schema: deployed tables
hold data, never change it). A landlord's validated answers are one Query.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pierre_rag.storage.items import from_item, to_item
from pierre_rag.storage.pages import query_items

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

VALIDATED_PREFIX = "VALIDATED#"
ANSWER_PREFIX = "ANSWER#"
# A landlord keeps at most this many: each later question is compared with all of them.
MAX_VALIDATED_ANSWERS = 500


class ValidatedAnswerExistsError(Exception):
    """An answer with this id is stored already."""


@dataclass(frozen=True)
class ValidatedAnswer:
    answer_id: str
    landlord: str
    question: str
    answer: str
    validated_by: str  # the staff member's address
    validated_ms: int
    language: str = "fr"  # the answer's: served to questions in this language only
    # The sources kept with it, as a stored turn holds them (``Source`` fields)
    sources: list[dict[str, Any]] = field(default_factory=list)
    # Where it came from: the reviewed answer's conversation and message
    conversation_id: str = ""
    message_id: str = ""


def _pk(landlord: str) -> str:
    return f"{VALIDATED_PREFIX}{landlord}"


def _sk(answer_id: str) -> str:
    return f"{ANSWER_PREFIX}{answer_id}"


def _answer_from(item: Mapping[str, Any]) -> ValidatedAnswer:
    data = from_item(item)
    return ValidatedAnswer(
        answer_id=data["sk"].removeprefix(ANSWER_PREFIX),
        landlord=data["pk"].removeprefix(VALIDATED_PREFIX),
        question=data["question"],
        answer=data["answer"],
        validated_by=data.get("validated_by", ""),
        validated_ms=int(data.get("validated_ms", 0)),
        language=data.get("language", "fr"),
        sources=json.loads(data["sources"]) if data.get("sources") else [],
        conversation_id=data.get("conversation_id", ""),
        message_id=data.get("message_id", ""),
    )


class ValidatedAnswerStore:
    """:class:`~pierre_rag.storage.ports.ValidatedAnswerRepository` in DynamoDB."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self.client = client
        self.table = table

    def add(self, answer: ValidatedAnswer) -> None:
        """Store a new validated answer (:class:`ValidatedAnswerExistsError` if its id is)."""
        item = to_item(
            {
                "pk": _pk(answer.landlord),
                "sk": _sk(answer.answer_id),
                "question": answer.question,
                "answer": answer.answer,
                "validated_by": answer.validated_by,
                "validated_ms": answer.validated_ms,
                "language": answer.language,
                "sources": json.dumps(answer.sources, ensure_ascii=False)
                if answer.sources
                else None,
                "conversation_id": answer.conversation_id or None,
                "message_id": answer.message_id or None,
            }
        )
        try:
            self.client.put_item(
                TableName=self.table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except self.client.exceptions.ConditionalCheckFailedException as error:
            raise ValidatedAnswerExistsError(answer.answer_id) from error

    def of_landlord(self, landlord: str) -> list[ValidatedAnswer]:
        """The landlord's validated answers, oldest id first (at most the cap)."""
        items = query_items(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :answer)",
            ExpressionAttributeValues=to_item({":pk": _pk(landlord), ":answer": ANSWER_PREFIX}),
        )
        answers = []
        for item in items:
            answers.append(_answer_from(item))
            if len(answers) == MAX_VALIDATED_ANSWERS:
                break
        return answers

    def delete(self, landlord: str, answer_id: str) -> bool:
        """Delete one of the landlord's validated answers; False when it has no such answer."""
        try:
            self.client.delete_item(
                TableName=self.table,
                Key=to_item({"pk": _pk(landlord), "sk": _sk(answer_id)}),
                ConditionExpression="attribute_exists(pk)",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True
