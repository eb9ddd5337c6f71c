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
from typing import Any

from pierre_rag.sms.windowing import WINDOW_MS, Window, next_window

DELIVERY_TTL_S = 35 * 86400  # beyond SQS retention (4 days) and CM's retries (a month)
OPT_OUT_TTL_S = 3 * 365 * 86400


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


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


class SmsStateStore:
    def __init__(self, client: Any, idempotency_table: str, conversations_table: str) -> None:
        self.client = client
        self.idempotency_table = idempotency_table
        self.conversations_table = conversations_table

    # ------------------------------------------------------------------ deliveries
    @staticmethod
    def _delivery_key(message_id: str) -> dict[str, Any]:
        return {"id": _s(f"sms-delivery#{message_id}")}

    def delivery(self, message_id: str) -> Delivery | None:
        item = self.client.get_item(
            TableName=self.idempotency_table,
            Key=self._delivery_key(message_id),
            ConsistentRead=True,
        ).get("Item")
        if not item:
            return None
        return Delivery(
            message_id=message_id,
            conversation_id=item["conversation_id"]["S"],
            status=item["status"]["S"],
            lease_until=int(item.get("lease_until", {"N": "0"})["N"]),
            error=item.get("error", {}).get("S"),
            allowance=item.get("allowance", {}).get("S", "answer"),
        )

    def assign(self, message_id: str, conversation_id: str, allowance: str = "answer") -> Delivery:
        """Create the record once; a concurrent or earlier assignment wins and is returned.
        ``allowance`` (answer, notice, none) is kept so a retry replies the same way."""
        try:
            self.client.put_item(
                TableName=self.idempotency_table,
                Item={
                    **self._delivery_key(message_id),
                    "conversation_id": _s(conversation_id),
                    "status": _s("assigned"),
                    "allowance": _s(allowance),
                    "expiration": _n(int(time.time()) + DELIVERY_TTL_S),
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
                ExpressionAttributeValues={
                    ":sending": _s("sending"),
                    ":assigned": _s("assigned"),
                    ":until": _n(now + lease_s),
                    ":now": _n(now),
                    ":one": _n(1),
                },
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
        values: dict[str, Any] = {":status": _s(status), ":at": _n(int(time.time() * 1000))}
        sets = ["#s = :status", "finished_ms = :at"]
        for index, (key, value) in enumerate(sorted(details.items())):
            names[f"#d{index}"] = key
            values[f":d{index}"] = _n(value) if isinstance(value, int) else _s(value)
            sets.append(f"#d{index} = :d{index}")
        self.client.update_item(
            TableName=self.idempotency_table,
            Key=self._delivery_key(message_id),
            UpdateExpression="SET " + ", ".join(sets) + " REMOVE lease_until",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def release(self, message_id: str, error: str) -> None:
        """Give the lease back after a failed send, keeping the reason for admin and logs."""
        self.client.update_item(
            TableName=self.idempotency_table,
            Key=self._delivery_key(message_id),
            UpdateExpression="SET #s = :assigned, #e = :error REMOVE lease_until",
            ConditionExpression="#s = :sending",
            ExpressionAttributeNames={"#s": "status", "#e": "error"},
            ExpressionAttributeValues={
                ":assigned": _s("assigned"),
                ":sending": _s("sending"),
                ":error": _s(error[:500]),
            },
        )

    # ------------------------------------------------------------------ 24 h windows
    def conversation_for(self, tenant: str, phone_hash: str, received_ms: int) -> str:
        """The conversation of this number's current window, opening a new one if needed."""
        key = {"pk": _s(f"SMSWIN#{tenant}#{phone_hash}"), "sk": _s("WINDOW")}
        for _ in range(3):
            item = self.client.get_item(
                TableName=self.conversations_table, Key=key, ConsistentRead=True
            ).get("Item")
            current = (
                Window(item["conversation_id"]["S"], int(item["started_ms"]["N"])) if item else None
            )
            opened = next_window(current, received_ms)
            if opened is None:
                assert current is not None
                return current.conversation_id
            condition: dict[str, Any] = (
                {"ConditionExpression": "attribute_not_exists(pk)"}
                if current is None
                else {
                    "ConditionExpression": "started_ms = :old",
                    "ExpressionAttributeValues": {":old": _n(current.started_ms)},
                }
            )
            try:
                self.client.put_item(
                    TableName=self.conversations_table,
                    Item={
                        **key,
                        "conversation_id": _s(opened.conversation_id),
                        "started_ms": _n(opened.started_ms),
                        "expires_at": _n((opened.started_ms + 2 * WINDOW_MS) // 1000),
                    },
                    **condition,
                )
            except self.client.exceptions.ConditionalCheckFailedException:
                continue  # another worker opened it first: read theirs
            return opened.conversation_id
        raise RuntimeError("could not settle the SMS window after concurrent updates")

    # ------------------------------------------------------------------ opt-outs
    def record_opt_out(self, tenant: str, phone_hash: str, at_ms: int) -> None:
        """Remember the latest STOP of this number (an older one arriving late changes nothing)."""
        try:
            self.client.update_item(
                TableName=self.conversations_table,
                Key={"pk": _s(f"SMSOPTOUT#{tenant}#{phone_hash}"), "sk": _s("OPTOUT")},
                UpdateExpression="SET opted_out_ms = :at, expires_at = :exp, tenant = :tenant",
                ConditionExpression="attribute_not_exists(opted_out_ms) OR opted_out_ms < :at",
                ExpressionAttributeValues={
                    ":at": _n(at_ms),
                    ":exp": _n(int(time.time()) + OPT_OUT_TTL_S),
                    ":tenant": _s(tenant),
                },
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return

    def opted_out_ms(self, tenant: str, phone_hash: str) -> int | None:
        item = self.client.get_item(
            TableName=self.conversations_table,
            Key={"pk": _s(f"SMSOPTOUT#{tenant}#{phone_hash}"), "sk": _s("OPTOUT")},
            ConsistentRead=True,
        ).get("Item")
        return int(item["opted_out_ms"]["N"]) if item else None
