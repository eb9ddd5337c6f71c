"""The one loop over a Query's pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from pierre_rag.storage.pages import query_items, query_page

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient


class PagedClient:
    """Answers a Query with one page per call, as DynamoDB does past 1 MB or a Limit."""

    def __init__(self, pages: list[list[str]]) -> None:
        self.pages = pages
        self.starts: list[Any] = []

    def query(self, **query: Any) -> dict[str, Any]:
        start = query.get("ExclusiveStartKey")
        self.starts.append(start)
        index = 0 if start is None else int(start["page"]["N"])
        response: dict[str, Any] = {"Items": [{"id": {"S": v}} for v in self.pages[index]]}
        if index + 1 < len(self.pages):
            response["LastEvaluatedKey"] = {"page": {"N": str(index + 1)}}
        return response


def typed(client: PagedClient) -> DynamoDBClient:
    return cast("DynamoDBClient", client)


def test_every_page_is_read_from_where_the_last_one_stopped() -> None:
    # Given a Query whose answer spans three pages
    client = PagedClient([["a", "b"], ["c"], ["d"]])

    # when its items are read
    items = list(query_items(typed(client), TableName="t"))

    # then each page started where the previous one stopped, and every item came once
    assert [item["id"]["S"] for item in items] == ["a", "b", "c", "d"]
    assert client.starts == [None, {"page": {"N": "1"}}, {"page": {"N": "2"}}]


def test_one_page_says_where_the_next_starts() -> None:
    # Given a Query of two pages
    client = PagedClient([["a"], ["b"]])

    # when pages are read one at a time
    first, start = query_page(typed(client), TableName="t")
    second, end = query_page(typed(client), start=start, TableName="t")

    # then the first gives the start of the second, and the last gives none
    assert [item["id"]["S"] for item in first + second] == ["a", "b"]
    assert start == {"page": {"N": "1"}} and end is None
