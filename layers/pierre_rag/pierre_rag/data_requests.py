"""A tenant's request for their data or its erasure (RGPD articles 15 and 17).

The tenant names either an SMS number or a conversation id. A number is never looked up nor
stored in clear: it is normalised, then keyed-hashed (:func:`pierre_rag.phones.pseudonymise_phone`,
the hash the SMS worker stores on each conversation's META), and its conversations are one
Query of the ``by-sms-sender`` index, scoped to the landlord by the index's range key.

Every search, export and erasure is audited in the conversations table under
``pk = DSRLOG#<landlord>``, ``sk = <epoch ms>#<random>``: who, when, what (the hash or the id,
never the number) and how many conversations, kept :data:`AUDIT_RETENTION_DAYS` (TTL
``expires_at``), much longer than the conversations themselves, so the proof that a request
was handled outlives the data it erased.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pierre_rag.storage.items import from_item, to_item
from pierre_rag.storage.pages import query_page

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

    from pierre_rag.conversations import ConversationMeta
    from pierre_rag.storage.ports import ConversationRepository

# Three years: the time a tenant has to complain after an answer (and the SMS opt-outs' keep).
AUDIT_RETENTION_DAYS = 3 * 365

# The key schema (deployed tables hold data: never change these).
AUDIT_PREFIX = "DSRLOG#"  # pk in the conversations table, one partition per landlord

DataRequestAction = Literal["search", "export", "delete"]
SubjectKind = Literal["phone", "conversation"]


@dataclass(frozen=True)
class DataSubject:
    """Whose data: an SMS number's keyed hash (``tel_…``) or one conversation id."""

    kind: SubjectKind
    key: str


@dataclass(frozen=True)
class DataRequestRecord:
    """One audited action on a tenant's data."""

    landlord: str
    at_ms: int
    actor: str  # the staff member's address
    action: DataRequestAction
    subject: DataSubject
    conversations: int  # how many were found, exported or erased


def find_conversations(
    store: ConversationRepository, landlord: str, subject: DataSubject
) -> list[ConversationMeta]:
    """The landlord's conversations of ``subject``, newest first; another landlord's never."""
    if subject.kind == "phone":
        return store.conversations_of_sms_sender(landlord, subject.key)
    meta = store.get_meta(subject.key)
    return [meta] if meta is not None and meta.landlord == landlord else []


def erase(store: ConversationRepository, metas: list[ConversationMeta], landlord: str) -> int:
    """Delete every item of each of the landlord's ``metas`` (turns, receipts, reviews, the
    tenant's feedback on META); returns how many conversations were erased."""
    erased = 0
    for meta in metas:
        if meta.landlord != landlord:
            raise PermissionError("a conversation of another landlord")
        if store.delete(meta.conversation_id):
            erased += 1
    return erased


def _audit_key(landlord: str) -> str:
    return f"{AUDIT_PREFIX}{landlord}"


class DataRequestLog:
    """The audit in DynamoDB (see the module's docstring for its keys)."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self.client = client
        self.table = table

    def record(self, entry: DataRequestRecord) -> None:
        expires_at = entry.at_ms // 1000 + AUDIT_RETENTION_DAYS * 86400
        self.client.put_item(
            TableName=self.table,
            Item=to_item(
                {
                    "pk": _audit_key(entry.landlord),
                    # the random part keeps two actions of one millisecond apart
                    "sk": f"{entry.at_ms:013d}#{secrets.token_hex(4)}",
                    "at_ms": entry.at_ms,
                    "actor": entry.actor,
                    "action": entry.action,
                    "subject_kind": entry.subject.kind,
                    "subject": entry.subject.key,
                    "conversations": entry.conversations,
                    "expires_at": expires_at,
                }
            ),
        )

    def latest(self, landlord: str, limit: int = 20) -> list[DataRequestRecord]:
        """The landlord's last ``limit`` audited actions, newest first."""
        items, _ = query_page(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=to_item({":pk": _audit_key(landlord)}),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_record_from(landlord, item) for item in items]


def _record_from(landlord: str, item: Mapping[str, Any]) -> DataRequestRecord:
    data = from_item(item)
    return DataRequestRecord(
        landlord=landlord,
        at_ms=int(data["at_ms"]),
        actor=data["actor"],
        action=data["action"],
        subject=DataSubject(data["subject_kind"], data["subject"]),
        conversations=int(data["conversations"]),
    )
