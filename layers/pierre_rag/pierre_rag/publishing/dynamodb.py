"""The knowledge table (DynamoDB): each landlord's publishing records under one partition.

    pk = LANDLORD#<landlord id>
    sk = POINTER                         the live datastore (``live_version`` apart, for conditions)
         CHANGE#<13-digit ms>#<8 hex>    the history, newest last in the key order
         CONTROL#<id>                    a control question
         BUILD#<build id>                a build record (build ids start with their 13-digit ms)
         LOCK                            the build lock: ``build_id`` and ``lease_until`` (ms)
         SETTINGS                        settings edited in the admin and their ``revision``

Each record is its pydantic model's JSON in the ``record`` attribute (settings: ``settings``),
so one model reads it back; the few attributes a condition tests are stored beside it. Chat
and SMS read the pointer with GetItem only (their IAM policy allows nothing else).
"""

from __future__ import annotations

import json
import secrets
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError
from pydantic import BaseModel

from pierre_rag.publishing.models import Build, Change, ControlQuestion, Pointer
from pierre_rag.publishing.ports import PointerMovedError
from pierre_rag.storage.items import Item, to_item, value_of
from pierre_rag.storage.pages import query_items

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

PK_PREFIX = "LANDLORD#"
POINTER = "POINTER"
CHANGE = "CHANGE#"
CONTROL = "CONTROL#"
BUILD = "BUILD#"
LOCK = "LOCK"
SETTINGS = "SETTINGS"

Record = TypeVar("Record", bound=BaseModel)


def _pk(landlord: str) -> str:
    return f"{PK_PREFIX}{landlord}"


def _key(landlord: str, sk: str) -> Item:
    return to_item({"pk": _pk(landlord), "sk": sk})


def _conflict(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _record(item: Item, model: type[Record]) -> Record:
    return model.model_validate_json(str(value_of(item["record"])))


class DynamoPublishing:
    """:class:`~pierre_rag.publishing.ports.PublishingRepository` over the knowledge table."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    # ------------------------------------------------------------------ helpers
    def _get(self, landlord: str, sk: str) -> Item | None:
        found = self._client.get_item(
            TableName=self._table, Key=_key(landlord, sk), ConsistentRead=True
        )
        return found.get("Item")

    def _put(self, landlord: str, sk: str, **attributes: Any) -> None:
        item = to_item({"pk": _pk(landlord), "sk": sk, **attributes})
        self._client.put_item(TableName=self._table, Item=item)

    def _put_if(
        self, landlord: str, sk: str, condition: str, values: dict[str, Any], **attributes: Any
    ) -> bool:
        """Put the item if ``condition`` holds; False when it does not."""
        item = to_item({"pk": _pk(landlord), "sk": sk, **attributes})
        expression: dict[str, Any] = (
            {"ExpressionAttributeValues": to_item(values)} if values else {}
        )
        try:
            self._client.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression=condition,
                **expression,
            )
        except ClientError as error:
            if _conflict(error):
                return False
            raise
        return True

    def _query(self, landlord: str, prefix: str, *, newest_first: bool, limit: int) -> list[Item]:
        if limit < 1:  # DynamoDB refuses a Limit of 0
            return []
        items = query_items(
            self._client,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=to_item({":pk": _pk(landlord), ":prefix": prefix}),
            ScanIndexForward=not newest_first,
            Limit=limit,
        )
        return list(islice(items, limit))

    # ------------------------------------------------------------------ pointer
    def pointer(self, landlord: str) -> Pointer | None:
        item = self._get(landlord, POINTER)
        return _record(item, Pointer) if item else None

    def move_pointer(self, pointer: Pointer, expected_version: str | None) -> None:
        if expected_version is None:
            condition, values = "attribute_not_exists(pk)", {}
        else:
            condition, values = "live_version = :expected", {":expected": expected_version}
        moved = self._put_if(
            pointer.landlord,
            POINTER,
            condition,
            values,
            live_version=pointer.version,
            record=pointer.model_dump_json(),
        )
        if not moved:
            raise PointerMovedError(pointer.landlord)

    # ------------------------------------------------------------------ history
    def record_change(self, change: Change) -> None:
        sk = f"{CHANGE}{change.at_ms:013d}#{secrets.token_hex(4)}"
        self._put(change.landlord, sk, record=change.model_dump_json())

    def changes(self, landlord: str, limit: int = 50) -> list[Change]:
        items = self._query(landlord, CHANGE, newest_first=True, limit=limit)
        return [_record(item, Change) for item in items]

    # ------------------------------------------------------------------ control questions
    def controls(self, landlord: str) -> list[ControlQuestion]:
        items = query_items(
            self._client,
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues=to_item({":pk": _pk(landlord), ":prefix": CONTROL}),
        )
        found = [_record(item, ControlQuestion) for item in items]
        return sorted(found, key=lambda control: (control.created_ms, control.id))

    def put_control(self, control: ControlQuestion) -> None:
        self._put(control.landlord, f"{CONTROL}{control.id}", record=control.model_dump_json())

    def delete_control(self, landlord: str, control_id: str) -> bool:
        deleted = self._client.delete_item(
            TableName=self._table,
            Key=_key(landlord, f"{CONTROL}{control_id}"),
            ReturnValues="ALL_OLD",
        )
        return bool(deleted.get("Attributes"))

    # ------------------------------------------------------------------ builds
    def save_build(self, build: Build) -> None:
        self._put(build.landlord, f"{BUILD}{build.id}", record=build.model_dump_json())

    def build(self, landlord: str, build_id: str) -> Build | None:
        item = self._get(landlord, f"{BUILD}{build_id}")
        return _record(item, Build) if item else None

    def builds(self, landlord: str, limit: int = 20) -> list[Build]:
        """Newest first by build id (``new_build_id`` starts with the request's time)."""
        items = self._query(landlord, BUILD, newest_first=True, limit=limit)
        return [_record(item, Build) for item in items]

    def claim_build(self, landlord: str, build_id: str, now_ms: int, lease_ms: int) -> bool:
        return self._put_if(
            landlord,
            LOCK,
            "attribute_not_exists(pk) OR build_id = :build OR lease_until <= :now",
            {":build": build_id, ":now": now_ms},
            build_id=build_id,
            lease_until=now_ms + lease_ms,
        )

    def release_build(self, landlord: str, build_id: str) -> None:
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=_key(landlord, LOCK),
                ConditionExpression="build_id = :build",
                ExpressionAttributeValues=to_item({":build": build_id}),
            )
        except ClientError as error:
            if not _conflict(error):  # another build holds it now, or nobody: nothing to do
                raise

    # ------------------------------------------------------------------ settings
    def landlord_settings(self, landlord: str) -> tuple[dict[str, Any], int] | None:
        item = self._get(landlord, SETTINGS)
        if item is None:
            return None
        settings = json.loads(str(value_of(item["settings"])))
        return settings, int(value_of(item["revision"]))

    def save_landlord_settings(
        self, landlord: str, settings: dict[str, Any], expected_revision: int
    ) -> int:
        if expected_revision == 0:
            condition, values = "attribute_not_exists(pk)", {}
        else:
            condition, values = "revision = :expected", {":expected": expected_revision}
        revision = expected_revision + 1
        saved = self._put_if(
            landlord,
            SETTINGS,
            condition,
            values,
            settings=json.dumps(settings, ensure_ascii=False, sort_keys=True),
            revision=revision,
        )
        if not saved:
            raise PointerMovedError(landlord)
        return revision


__all__ = ["DynamoPublishing"]
