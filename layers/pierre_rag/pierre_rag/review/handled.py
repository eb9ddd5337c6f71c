"""The backlog items staff marked handled, per landlord, in the conversations table.

One item per handled question (``pk = HANDLED#<landlord>``, ``sk = <conversation id>#<message
id>``), written on condition that it does not exist yet (the first mark and its time stay).
A question asked again later is another message: it is not marked, so it comes back. Each mark
expires (TTL) when its question has left every backlog window: the marks stay bounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pierre_rag.storage.items import from_item, to_item
from pierre_rag.storage.pages import query_items

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

HANDLED_PREFIX = "HANDLED#"


@dataclass(frozen=True)
class HandledMark:
    conversation_id: str
    message_id: str
    handled_by: str
    handled_ms: int

    @property
    def key(self) -> str:
        return item_key(self.conversation_id, self.message_id)


def item_key(conversation_id: str, message_id: str) -> str:
    """One backlog item's key: the question's conversation and message."""
    return f"{conversation_id}#{message_id}"


def _pk(landlord: str) -> str:
    return f"{HANDLED_PREFIX}{landlord}"


class HandledMarkStore:
    """:class:`~pierre_rag.storage.ports.HandledMarkRepository` in DynamoDB."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self.client = client
        self.table = table

    def mark(self, landlord: str, marks: Iterable[HandledMark], *, expires_at: int) -> int:
        """Record ``marks`` (those recorded already are kept as they are); how many are new."""
        added = 0
        for handled in marks:
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item=to_item(
                        {
                            "pk": _pk(landlord),
                            "sk": handled.key,
                            "handled_by": handled.handled_by,
                            "handled_ms": handled.handled_ms,
                            "expires_at": expires_at,
                        }
                    ),
                    ConditionExpression="attribute_not_exists(pk)",
                )
            except self.client.exceptions.ConditionalCheckFailedException:
                continue
            added += 1
        return added

    def handled(self, landlord: str) -> set[str]:
        """The keys (:func:`item_key`) of the landlord's handled items."""
        items = query_items(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=to_item({":pk": _pk(landlord)}),
            ProjectionExpression="sk",
        )
        return {str(from_item(item)["sk"]) for item in items}
