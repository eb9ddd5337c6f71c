"""SMS state in DynamoDB: delivery records, 24 h windows and opt-outs.

- Delivery records live in the idempotency table (``id = sms-delivery#<message id>``, TTL
  ``expiration``): the conversation a message was assigned to, then a lease while it is
  being sent, then ``sent``. A redelivered message whose record says ``sent`` is not sent
  again; one whose lease is held elsewhere is retried later.
- Windows and opt-outs live in the conversations table, under their own key prefixes
  (``SMSWIN#`` / ``SMSOPTOUT#`` + landlord + the number's keyed hash), so the number itself
  is never stored there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pierre_rag.sms.windowing import WINDOW_MS, Window, next_window
from pierre_rag.storage.items import Item, from_item, to_item
from pierre_rag.stored_names import LANDLORD_ATTRIBUTE

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

DELIVERY_TTL_S = 35 * 86400  # beyond SQS retention (4 days) and CM's retries (a month)
OPT_OUT_TTL_S = 3 * 365 * 86400

# The key schema (deployed tables hold data: never change these).
DELIVERY_PREFIX = "sms-delivery#"  # id in the idempotency table
WINDOW_PREFIX = "SMSWIN#"  # pk in the conversations table, sk WINDOW_SORT_KEY
WINDOW_SORT_KEY = "WINDOW"
OPT_OUT_PREFIX = "SMSOPTOUT#"  # pk in the conversations table, sk OPT_OUT_SORT_KEY
OPT_OUT_SORT_KEY = "OPTOUT"


class DeliveryInProgressError(RuntimeError):
    """Another worker holds the delivery lease: retry the message later."""


@dataclass(frozen=True)
class Delivery:
    message_id: str
    conversation_id: str
    status: str  # assigned | sending | sent | rejected | suppressed | limited
    lease_until: int = 0
    error: str | None = None
    allowance: str = "answer"  # see pierre_rag.sms.quota.Allowance


def _window_key(landlord: str, phone_hash: str) -> Item:
    return to_item({"pk": f"{WINDOW_PREFIX}{landlord}#{phone_hash}", "sk": WINDOW_SORT_KEY})


def _opt_out_key(landlord: str, phone_hash: str) -> Item:
    return to_item({"pk": f"{OPT_OUT_PREFIX}{landlord}#{phone_hash}", "sk": OPT_OUT_SORT_KEY})


class SmsStateStore:
    def __init__(
        self, client: DynamoDBClient, idempotency_table: str, conversations_table: str
    ) -> None:
        self.client = client
        self.idempotency_table = idempotency_table
        self.conversations_table = conversations_table

    # ------------------------------------------------------------------ deliveries
    @staticmethod
    def _delivery_key(message_id: str) -> Item:
        return to_item({"id": f"{DELIVERY_PREFIX}{message_id}"})

    def delivery(self, message_id: str) -> Delivery | None:
        item = self.client.get_item(
            TableName=self.idempotency_table,
            Key=self._delivery_key(message_id),
            ConsistentRead=True,
        ).get("Item")
        if not item:
            return None
        data = from_item(item)
        return Delivery(
            message_id=message_id,
            conversation_id=data["conversation_id"],
            status=data["status"],
            lease_until=int(data.get("lease_until", 0)),
            error=data.get("error"),
            allowance=data.get("allowance", "answer"),
        )

    def assign(self, message_id: str, conversation_id: str, allowance: str = "answer") -> Delivery:
        """Create the record once; a concurrent or earlier assignment wins and is returned.
        ``allowance`` (answer, notice, none) is kept so a retry replies the same way."""
        try:
            self.client.put_item(
                TableName=self.idempotency_table,
                Item={
                    **self._delivery_key(message_id),
                    **to_item(
                        {
                            "conversation_id": conversation_id,
                            "status": "assigned",
                            "allowance": allowance,
                            "expiration": int(time.time()) + DELIVERY_TTL_S,
                        }
                    ),
                },
                ConditionExpression="attribute_not_exists(id)",
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            existing = self.delivery(message_id)
            assert existing is not None
            return existing
        return Delivery(message_id, conversation_id, "assigned", allowance=allowance)

    def claim(self, message_id: str, lease_s: int) -> bool:
        """Take the sending lease. False: already sent (or closed); raises if leased elsewhere."""
        now = int(time.time())
        try:
            self.client.update_item(
                TableName=self.idempotency_table,
                Key=self._delivery_key(message_id),
                UpdateExpression="SET #s = :sending, lease_until = :until ADD attempts :one",
                ConditionExpression="attribute_exists(id) AND #s IN (:assigned, :sending) "
                "AND (attribute_not_exists(lease_until) OR lease_until < :now)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=to_item(
                    {
                        ":sending": "sending",
                        ":assigned": "assigned",
                        ":until": now + lease_s,
                        ":now": now,
                        ":one": 1,
                    }
                ),
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            current = self.delivery(message_id)
            if current is not None and current.status == "sending":
                raise DeliveryInProgressError(message_id) from None
            return False
        return True

    def finish(self, message_id: str, status: str, **details: str | int) -> None:
        """Close the record (``sent``, ``rejected``, ``suppressed``) and drop the lease."""
        names = {"#s": "status"}
        values: dict[str, Any] = {":status": status, ":at": int(time.time() * 1000)}
        sets = ["#s = :status", "finished_ms = :at"]
        for index, (key, value) in enumerate(sorted(details.items())):
            names[f"#d{index}"] = key
            values[f":d{index}"] = value
            sets.append(f"#d{index} = :d{index}")
        self.client.update_item(
            TableName=self.idempotency_table,
            Key=self._delivery_key(message_id),
            UpdateExpression="SET " + ", ".join(sets) + " REMOVE lease_until",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_item(values),
        )

    def release(self, message_id: str, error: str) -> None:
        """Give the lease back after a failed send, keeping the reason for admin and logs."""
        self.client.update_item(
            TableName=self.idempotency_table,
            Key=self._delivery_key(message_id),
            UpdateExpression="SET #s = :assigned, #e = :error REMOVE lease_until",
            ConditionExpression="#s = :sending",
            ExpressionAttributeNames={"#s": "status", "#e": "error"},
            ExpressionAttributeValues=to_item(
                {":assigned": "assigned", ":sending": "sending", ":error": error[:500]}
            ),
        )

    # ------------------------------------------------------------------ 24 h windows
    def conversation_for(self, landlord: str, phone_hash: str, received_ms: int) -> str:
        """The conversation of this number's current window, opening a new one if needed."""
        key = _window_key(landlord, phone_hash)
        for _ in range(3):
            item = self.client.get_item(
                TableName=self.conversations_table, Key=key, ConsistentRead=True
            ).get("Item")
            data = from_item(item) if item else None
            current = Window(data["conversation_id"], int(data["started_ms"])) if data else None
            opened = next_window(current, received_ms)
            if opened is None:
                assert current is not None
                return current.conversation_id
            condition: dict[str, Any] = (
                {"ConditionExpression": "attribute_not_exists(pk)"}
                if current is None
                else {
                    "ConditionExpression": "started_ms = :old",
                    "ExpressionAttributeValues": to_item({":old": current.started_ms}),
                }
            )
            try:
                self.client.put_item(
                    TableName=self.conversations_table,
                    Item={
                        **key,
                        **to_item(
                            {
                                "conversation_id": opened.conversation_id,
                                "started_ms": opened.started_ms,
                                "expires_at": (opened.started_ms + 2 * WINDOW_MS) // 1000,
                            }
                        ),
                    },
                    **condition,
                )
            except self.client.exceptions.ConditionalCheckFailedException:
                continue  # another worker opened it first: read theirs
            return opened.conversation_id
        raise RuntimeError("could not settle the SMS window after concurrent updates")

    # ------------------------------------------------------------------ opt-outs
    def record_opt_out(self, landlord: str, phone_hash: str, at_ms: int) -> None:
        """Remember the latest STOP of this number (an older one arriving late changes nothing)."""
        try:
            self.client.update_item(
                TableName=self.conversations_table,
                Key=_opt_out_key(landlord, phone_hash),
                UpdateExpression="SET opted_out_ms = :at, expires_at = :exp, #landlord = :landlord",
                ConditionExpression="attribute_not_exists(opted_out_ms) OR opted_out_ms < :at",
                ExpressionAttributeNames={"#landlord": LANDLORD_ATTRIBUTE},
                ExpressionAttributeValues=to_item(
                    {":at": at_ms, ":exp": int(time.time()) + OPT_OUT_TTL_S, ":landlord": landlord}
                ),
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return

    def opted_out_ms(self, landlord: str, phone_hash: str) -> int | None:
        item = self.client.get_item(
            TableName=self.conversations_table,
            Key=_opt_out_key(landlord, phone_hash),
            ConsistentRead=True,
        ).get("Item")
        return int(from_item(item)["opted_out_ms"]) if item else None
