"""The one loop over the pages of a DynamoDB Query (``LastEvaluatedKey``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pierre_rag.storage.items import Item

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient


def query_items(client: DynamoDBClient, **query: Any) -> Iterator[Item]:
    """Every item a Query matches, continuing while DynamoDB pages (1 MB per page)."""
    while True:
        response = client.query(**query)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        query = {**query, "ExclusiveStartKey": response["LastEvaluatedKey"]}


def query_page(
    client: DynamoDBClient, *, start: Item | None = None, **query: Any
) -> tuple[list[Item], Item | None]:
    """One page of a Query from ``start`` (a ``LastEvaluatedKey``), and where the next starts."""
    if start:
        query = {**query, "ExclusiveStartKey": start}
    response = client.query(**query)
    return list(response.get("Items", [])), response.get("LastEvaluatedKey")
