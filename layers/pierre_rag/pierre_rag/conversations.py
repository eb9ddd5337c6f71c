"""Conversation state in DynamoDB (one table, see template.yaml ``ConversationsTable``).

Items of one conversation share ``pk = CONV#<id>``:

- ``sk = META``: landlord, context, channel, created/last activity, scores, counters and the
  latencies of the last ``LATENCY_WINDOW`` answers (bounded, as is everything in it); it carries the
  ``by-tenant-day`` index keys (``gsi1pk = TENANT#<landlord>#<yyyy-mm-dd>``) so staff list a
  landlord's conversations of a day with one Query.
- ``sk = TURN#<epoch ms>#<message id>#1|2``: the user turn (1) and the assistant turn (2),
  time-ordered; the last N turns are one Query in reverse.
- ``sk = MSG#<message id>``: the receipt of one user message, put in the same transaction as
  the user turn on condition that it does not exist yet: a retried request never stores a
  turn twice, and is answered from the assistant turn carrying the same ``message_id`` once
  there is one.
- ``sk = REVIEW#<message id>``: staff's review of one answer (score 0–3, comment, who, when),
  written in one transaction with its score on META (``answer_score_<message id>``, which the
  list filters on without reading turns), on condition that the conversation is the
  reviewer's landlord's and the message was received in it.

An SMS conversation's META also carries ``sms_from``, its sender's keyed hash
(:func:`pierre_rag.phones.pseudonymise_phone`, never the number): the ``by-sms-sender`` index
(``sms_from``, ``tenant``) finds every conversation of one number at one landlord with one
Query, for a tenant's request for their data or its erasure (:mod:`pierre_rag.data_requests`).

Receipts are items of their own, not a set in META: a set grew with every message until
DynamoDB refused META past ~10,000 messages (400 KB per item), and every write paid for the
whole set. A turn is one three-item transaction (plus the rate-limit counters riding in it);
an answer is a receipt read and two plain writes.

Every item has ``expires_at`` (TTL) from the landlord's retention.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pierre_rag.channel import Channel
from pierre_rag.storage.items import Item, attribute, from_item, to_item
from pierre_rag.storage.pages import query_items, query_page
from pierre_rag.stored_names import BY_LANDLORD_DAY_INDEX, LANDLORD_ATTRIBUTE, landlord_key
from pierre_rag.transactions import ConflictRetry, transact_write

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

Role = Literal["user", "assistant"]

# META keeps the latencies of the last answers only (statistics take their median and p95):
# one entry per answer would grow META without bound, like the message ids did.
LATENCY_WINDOW = 200

# The key schema (deployed tables hold data: never change these).
CONVERSATION_PREFIX = "CONV#"  # pk of every item of a conversation
META_SORT_KEY = "META"
TURN_PREFIX = "TURN#"
RECEIPT_PREFIX = "MSG#"
SIGNAL_PREFIX = "signal_"  # META counters of the answers' turn signals
REVIEW_PREFIX = "REVIEW#"
ANSWER_SCORE_PREFIX = "answer_score_"  # META attribute of one answer's staff score
SMS_SENDER_ATTRIBUTE = "sms_from"  # META attribute: an SMS sender's keyed hash
BY_SMS_SENDER_INDEX = "by-sms-sender"  # GSI: sms_from (hash key), tenant (range key)

# META keeps the start of the first question: the list shows it without reading turns.
PREVIEW_CHARS = 160


class DuplicateMessageError(Exception):
    """The user message was already received: ``question`` is the stored user turn and
    ``answer`` the stored reply, if any yet."""

    def __init__(self, answer: Turn | None, question: Turn | None = None) -> None:
        super().__init__("message already received")
        self.answer = answer
        self.question = question


class ConversationNotFoundError(LookupError):
    pass


class ConversationMismatchError(PermissionError):
    """The conversation id exists under another landlord or context."""


class WriteGuard(Protocol):
    """Conditional items another concern adds to the user-turn transaction (rate limits):
    they succeed or fail together with the write, in one round trip."""

    @property
    def items(self) -> Sequence[dict[str, Any]]: ...

    def refusal(self, reasons: Sequence[Mapping[str, Any]]) -> object | None:
        """Why the guard refused, from the cancellation reasons of its own items; or None."""
        ...


class GuardRefusedError(Exception):
    """A :class:`WriteGuard` refused the write; ``reason`` is what its ``refusal`` returned."""

    def __init__(self, reason: object) -> None:
        super().__init__("the write was refused by its guard")
        self.reason = reason


@dataclass
class Turn:
    role: Role
    content: str
    message_id: str
    created_ms: int
    sources: list[dict[str, str]] = field(default_factory=list)
    outcome: str | None = None
    language: str | None = None
    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: dict[str, float] = field(default_factory=dict)
    cost_usd: float = 0.0
    # An answer's :mod:`pierre_rag.pipeline.signals` (LLM error, fallbacks): counted in META only
    signals: list[str] = field(default_factory=list)

    @property
    def sort_key(self) -> str:
        role = 1 if self.role == "user" else 2
        return f"{TURN_PREFIX}{self.created_ms:013d}#{self.message_id}#{role}"


@dataclass
class ConversationMeta:
    conversation_id: str
    landlord: str
    context: str
    channel: Channel
    created_ms: int
    last_ms: int
    turn_count: int = 0
    customer_score: int | None = None  # +1 / -1 (thumbs)
    customer_comment: str | None = None
    organisation_score: int | None = None  # 0..3, set by staff
    organisation_comment: str | None = None
    outcomes: dict[str, int] = field(default_factory=dict)
    signals: dict[str, int] = field(default_factory=dict)  # turn signal → answers with it
    tokens: int = 0
    cost_usd: float = 0.0
    source_uses: dict[str, int] = field(default_factory=dict)  # cited file → times
    latencies_ms: list[float] = field(default_factory=list)  # one per answer
    first_question: str | None = None  # its first PREVIEW_CHARS characters
    answer_scores: dict[str, int] = field(default_factory=dict)  # message id → staff's 0..3
    sms_sender: str | None = None  # an SMS conversation's sender, keyed hash (``tel_…``)

    @property
    def lowest_answer_score(self) -> int | None:
        """The worst staff score of its answers, or None when none is scored."""
        return min(self.answer_scores.values(), default=None)


@dataclass(frozen=True)
class AnswerReview:
    """Staff's review of one answer (the assistant turn of ``message_id``)."""

    message_id: str
    score: int  # 0 = wrong or dangerous … 3 = perfect
    comment: str | None
    reviewer: str  # the staff member's address
    reviewed_ms: int


def preview(question: str) -> str:
    """The start of a question as META keeps it."""
    text = " ".join(question.split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def _receipt_key(message_id: str) -> str:
    return f"{RECEIPT_PREFIX}{message_id}"


def _review_key(message_id: str) -> str:
    return f"{REVIEW_PREFIX}{message_id}"


def _pk(conversation_id: str) -> str:
    return f"{CONVERSATION_PREFIX}{conversation_id}"


def _day_key(landlord: str, day: str) -> str:
    """gsi1pk of the index of a landlord's conversations of a day (gsi1sk: <created ms>#<id>)."""
    return f"{landlord_key(landlord)}#{day}"


def _day_sort_key(created_ms: int, conversation_id: str) -> str:
    return f"{created_ms:013d}#{conversation_id}"


def day_cursor(meta: ConversationMeta) -> str:
    """Where a listing of a day goes on after ``meta``: ``<created ms>:<id>``, opaque to
    callers (the admin puts it in a link)."""
    return f"{meta.created_ms:013d}:{meta.conversation_id}"


def _day_start_key(landlord: str, day: str, after: str) -> Item | None:
    """The index position just after the conversation ``after`` names. Rebuilt from the
    landlord and the day, so a cursor cannot reach another landlord's conversations."""
    if not after:
        return None
    created, _, conversation_id = after.partition(":")
    return to_item(
        {
            "gsi1pk": _day_key(landlord, day),
            "gsi1sk": f"{created}#{conversation_id}",
            "pk": _pk(conversation_id),
            "sk": META_SORT_KEY,
        }
    )


def _turns_of(conversation_id: str) -> Item:
    """The Query values of a conversation's turns."""
    return to_item({":pk": _pk(conversation_id), ":turn": TURN_PREFIX})


def _day(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%Y-%m-%d")


def _display_data(value: Any, empty: Any) -> Any:
    """Sources and step latencies are stored as one JSON string: they are only ever shown,
    never queried, and a nested DynamoDB map costs far more to (de)serialise. A native
    list or map (older items) is read as well."""
    if value is None:
        return empty
    return json.loads(value) if isinstance(value, str) else value


def _turn_from(item: Mapping[str, Any]) -> Turn:
    data = from_item(item)
    return Turn(
        role=data["role"],
        content=data["content"],
        message_id=data["message_id"],
        created_ms=int(data["created_ms"]),
        sources=_display_data(data.get("sources"), []),
        outcome=data.get("outcome"),
        language=data.get("language"),
        model=data.get("model"),
        prompt_tokens=int(data.get("prompt_tokens", 0)),
        completion_tokens=int(data.get("completion_tokens", 0)),
        latency_ms=_display_data(data.get("latency_ms"), {}),
        cost_usd=float(data.get("cost_usd", 0.0)),
    )


def _meta_from(item: Mapping[str, Any]) -> ConversationMeta:
    data = from_item(item)
    return ConversationMeta(
        conversation_id=data["pk"].removeprefix(CONVERSATION_PREFIX),
        landlord=data[LANDLORD_ATTRIBUTE],
        context=data["context"],
        channel=data["channel"],
        created_ms=int(data["created_ms"]),
        last_ms=int(data["last_ms"]),
        turn_count=int(data.get("turn_count", 0)),
        customer_score=data.get("customer_score"),
        customer_comment=data.get("customer_comment"),
        organisation_score=data.get("organisation_score"),
        organisation_comment=data.get("organisation_comment"),
        outcomes={
            key.removeprefix("outcome_"): int(value)
            for key, value in data.items()
            if key.startswith("outcome_")
        },
        signals={
            key.removeprefix(SIGNAL_PREFIX): int(value)
            for key, value in data.items()
            if key.startswith(SIGNAL_PREFIX)
        },
        tokens=int(data.get("tokens", 0)),
        cost_usd=float(data.get("cost_usd", 0.0)),
        source_uses={str(k): int(v) for k, v in data.get("source_uses", {}).items()},
        latencies_ms=[float(v) for v in data.get("latencies_ms", [])],
        first_question=data.get("first_question"),
        answer_scores={
            key.removeprefix(ANSWER_SCORE_PREFIX): int(value)
            for key, value in data.items()
            if key.startswith(ANSWER_SCORE_PREFIX)
        },
        sms_sender=data.get(SMS_SENDER_ATTRIBUTE),
    )


def _review_from(item: Mapping[str, Any]) -> AnswerReview:
    data = from_item(item)
    return AnswerReview(
        message_id=data["sk"].removeprefix(REVIEW_PREFIX),
        score=int(data["score"]),
        comment=data.get("comment"),
        reviewer=data.get("reviewer", ""),
        reviewed_ms=int(data.get("reviewed_ms", 0)),
    )


def _signal_update(answer: Turn) -> tuple[str, dict[str, str]]:
    """The ADD clauses counting the answer's turn signals in META, and their names."""
    names = {f"#s{n}": f"{SIGNAL_PREFIX}{signal}" for n, signal in enumerate(answer.signals)}
    return "".join(f", {name} :one" for name in names), names


def _usage_update(answer: Turn) -> tuple[list[str], dict[str, str], dict[str, Any]]:
    """META updates recording which files an answer cited and how long it took."""
    uses = Counter(source.get("file") or source.get("title") or "?" for source in answer.sources)
    sets = ["latencies_ms = list_append(latencies_ms, :latency)"]
    names: dict[str, str] = {}
    values: dict[str, Any] = {":latency": [answer.latency_ms.get("total", 0.0)]}
    if uses:  # DynamoDB rejects an expression value that no expression uses
        values[":zero"] = 0
    for index, (file, count) in enumerate(sorted(uses.items())):
        names[f"#f{index}"] = file
        values[f":n{index}"] = count
        sets.append(
            f"source_uses.#f{index} = if_not_exists(source_uses.#f{index}, :zero) + :n{index}"
        )
    return sets, names, values


class ConversationStore:
    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        retry: ConflictRetry | None = None,
        latency_window: int = LATENCY_WINDOW,
    ) -> None:
        self.client = client
        self.table = table
        self.latency_window = latency_window
        # The user-turn transaction shares rate-limit counters with concurrent requests.
        self.retry = retry or ConflictRetry()

    # ------------------------------------------------------------------ writes
    def record_user_turn(
        self,
        conversation_id: str,
        turn: Turn,
        *,
        landlord: str,
        context: str,
        channel: Channel,
        retention_days: int,
        extra_meta: dict[str, Any] | None = None,
        guard: WriteGuard | None = None,
    ) -> None:
        """Store the user's message once; a retry raises :class:`DuplicateMessageError`, and a
        ``guard`` that refuses raises :class:`GuardRefusedError` (nothing is written)."""
        pk = _pk(conversation_id)
        expires_at = int(time.time()) + retention_days * 86400
        meta_update = self._meta_update(
            pk, turn, landlord, context, channel, expires_at, extra_meta or {}
        )
        user_item = to_item(
            {"pk": pk, "sk": turn.sort_key, "expires_at": expires_at, **self._turn_attributes(turn)}
        )
        receipt = to_item(
            {
                "pk": pk,
                "sk": _receipt_key(turn.message_id),
                "expires_at": expires_at,
                "received_ms": turn.created_ms,
            }
        )
        guard_items = list(guard.items) if guard is not None else []
        own_items = [
            {"Put": {"TableName": self.table, "Item": user_item}},
            {"Update": meta_update},
            {
                "Put": {
                    "TableName": self.table,
                    "Item": receipt,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        try:
            transact_write(self.client, [*guard_items, *own_items], self.retry)
        except self.client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons", [])
            own = reasons[len(guard_items) :] if len(reasons) == len(guard_items) + 3 else []
            failed = [reason.get("Code") == "ConditionalCheckFailed" for reason in own]
            if any(failed[1:]):
                # A retry is answered from the store whatever the limits say.
                self._raise_refusal(conversation_id, turn.message_id, landlord, context)
            if guard is not None:
                refusal = guard.refusal(reasons[: len(guard_items)])
                if refusal is not None:
                    raise GuardRefusedError(refusal) from error
            raise

    def _raise_refusal(
        self, conversation_id: str, message_id: str, landlord: str, context: str
    ) -> None:
        """META's or the receipt's condition failed: the conversation belongs to another
        landlord or context (checked first: never replay another landlord's answer), or the
        message was already received."""
        meta = self.get_meta(conversation_id)
        if meta is not None and (meta.landlord, meta.context) != (landlord, context):
            raise ConversationMismatchError(
                "this conversation belongs to another landlord or context"
            )
        question, answer = self.exchange(conversation_id, message_id)
        raise DuplicateMessageError(answer, question)

    def _meta_update(
        self,
        pk: str,
        turn: Turn,
        landlord: str,
        context: str,
        channel: Channel,
        expires_at: int,
        extra: dict[str, Any],
    ) -> dict[str, Any]:
        created_ms = turn.created_ms
        values = {
            ":landlord": landlord,
            ":context": context,
            ":channel": channel,
            ":now": created_ms,
            ":one": 1,
            ":exp": expires_at,
            ":gpk": _day_key(landlord, _day(created_ms)),
            ":gsk": _day_sort_key(created_ms, pk.removeprefix(CONVERSATION_PREFIX)),
            ":no_uses": {},
            ":no_latencies": [],
            ":first": preview(turn.content),
        }
        sets = [
            # Answers add to these (statistics read META items only, never the turns).
            "source_uses = if_not_exists(source_uses, :no_uses)",
            "latencies_ms = if_not_exists(latencies_ms, :no_latencies)",
            "#landlord = if_not_exists(#landlord, :landlord)",
            "#ctx = if_not_exists(#ctx, :context)",
            "channel = if_not_exists(channel, :channel)",
            "created_ms = if_not_exists(created_ms, :now)",
            "last_ms = :now",
            "expires_at = :exp",
            "gsi1pk = if_not_exists(gsi1pk, :gpk)",
            "gsi1sk = if_not_exists(gsi1sk, :gsk)",
            "first_question = if_not_exists(first_question, :first)",
        ]
        for index, (key, value) in enumerate(sorted(extra.items())):
            values[f":x{index}"] = value
            sets.append(f"{key} = if_not_exists({key}, :x{index})")
        return {
            "TableName": self.table,
            "Key": to_item({"pk": pk, "sk": META_SORT_KEY}),
            # One conversation id never switches landlord or context (checked in the write;
            # the message's receipt item makes the write idempotent).
            "ConditionExpression": "attribute_not_exists(pk) OR "
            "(#landlord = :landlord AND #ctx = :context)",
            "UpdateExpression": "SET " + ", ".join(sets) + " ADD turn_count :one",
            "ExpressionAttributeNames": {"#ctx": "context", "#landlord": LANDLORD_ATTRIBUTE},
            "ExpressionAttributeValues": to_item(values),
        }

    def record_answer(self, conversation_id: str, answer: Turn, retention_days: int) -> None:
        """Store the assistant turn answering the user message ``answer.message_id``.

        The message's receipt is read first (else :class:`ConversationNotFoundError`, nothing
        written). Then two plain writes, not a transaction: the turn first, then META's counters
        (else the turn is deleted again and :class:`ConversationNotFoundError` is raised). In
        this order an answer that could not be written is never counted as answered; its
        question stays unanswered, which statistics count as an error. A transaction would cost
        twice the write units and could conflict with the next turn's write on META.
        """
        pk = _pk(conversation_id)
        expires_at = int(time.time()) + retention_days * 86400
        outcome = answer.outcome or "answered"
        usage_sets, usage_names, usage_values = _usage_update(answer)
        signal_adds, signal_names = _signal_update(answer)
        receipt = self.client.get_item(
            TableName=self.table,
            Key=to_item({"pk": pk, "sk": _receipt_key(answer.message_id)}),
            ProjectionExpression="pk",
            ConsistentRead=True,
        ).get("Item")
        if receipt is None:
            raise ConversationNotFoundError(
                f"message {answer.message_id} was never received in {conversation_id}"
            )
        turn_item = to_item(
            {
                "pk": pk,
                "sk": answer.sort_key,
                "expires_at": expires_at,
                **self._turn_attributes(answer),
            }
        )
        self.client.put_item(TableName=self.table, Item=turn_item)
        try:
            updated = self.client.update_item(
                TableName=self.table,
                Key=to_item({"pk": pk, "sk": META_SORT_KEY}),
                UpdateExpression="SET last_ms = :now, "
                + ", ".join(usage_sets)
                + " ADD turn_count :one, #o :one, tokens :tokens, cost_usd :cost"
                + signal_adds,
                ConditionExpression="attribute_exists(pk)",
                ReturnValues="UPDATED_NEW",
                ExpressionAttributeNames={
                    "#o": f"outcome_{outcome}",
                    **usage_names,
                    **signal_names,
                },
                ExpressionAttributeValues=to_item(
                    {
                        **usage_values,
                        ":now": answer.created_ms,
                        ":one": 1,
                        ":tokens": answer.prompt_tokens + answer.completion_tokens,
                        ":cost": answer.cost_usd,
                    }
                ),
            )
        except self.client.exceptions.ConditionalCheckFailedException as error:
            self.client.delete_item(
                TableName=self.table, Key={k: turn_item[k] for k in ("pk", "sk")}
            )
            raise ConversationNotFoundError(
                f"message {answer.message_id} was never received in {conversation_id}"
            ) from error
        kept = len(updated.get("Attributes", {}).get("latencies_ms", {}).get("L", []))
        if kept > self.latency_window + self.latency_window // 4:  # trim now and then, not always
            self._drop_oldest_latencies(pk, kept - self.latency_window)

    def _drop_oldest_latencies(self, pk: str, count: int) -> None:
        """Remove the ``count`` oldest latencies, unless a concurrent answer already did."""
        trimmed_meanwhile = self.client.exceptions.ConditionalCheckFailedException
        with contextlib.suppress(trimmed_meanwhile):
            self.client.update_item(
                TableName=self.table,
                Key=to_item({"pk": pk, "sk": META_SORT_KEY}),
                UpdateExpression="REMOVE "
                + ", ".join(f"latencies_ms[{index}]" for index in range(count)),
                ConditionExpression="size(latencies_ms) >= :size",
                ExpressionAttributeValues=to_item({":size": self.latency_window + count}),
            )

    @staticmethod
    def _turn_attributes(turn: Turn) -> dict[str, Any]:
        return {
            "role": turn.role,
            "content": turn.content,
            "message_id": turn.message_id,
            "created_ms": turn.created_ms,
            "sources": json.dumps(turn.sources, ensure_ascii=False) if turn.sources else None,
            "outcome": turn.outcome,
            "language": turn.language,
            "model": turn.model,
            "prompt_tokens": turn.prompt_tokens,
            "completion_tokens": turn.completion_tokens,
            "latency_ms": json.dumps(turn.latency_ms) if turn.latency_ms else None,
            "cost_usd": turn.cost_usd,
        }

    def set_customer_score(self, conversation_id: str, score: int, comment: str | None) -> None:
        self._set_meta(conversation_id, {"customer_score": score, "customer_comment": comment})

    def set_organisation_score(self, conversation_id: str, score: int, comment: str | None) -> None:
        self._set_meta(
            conversation_id, {"organisation_score": score, "organisation_comment": comment}
        )

    def _set_meta(self, conversation_id: str, values: dict[str, Any]) -> None:
        names = {f"#a{i}": key for i, key in enumerate(values)}
        sets = [f"#a{i} = :v{i}" for i in range(len(values))]
        try:
            self.client.update_item(
                TableName=self.table,
                Key=to_item({"pk": _pk(conversation_id), "sk": META_SORT_KEY}),
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=names,
                # A cleared comment is stored as NULL, not left out.
                ExpressionAttributeValues={
                    f":v{i}": attribute(v) for i, v in enumerate(values.values())
                },
            )
        except self.client.exceptions.ConditionalCheckFailedException as error:
            raise ConversationNotFoundError(conversation_id) from error

    def set_answer_review(
        self, conversation_id: str, review: AnswerReview, *, landlord: str, retention_days: int
    ) -> None:
        """Store staff's review of one answer (replacing an earlier one): its REVIEW item and
        its score on META in one transaction, on condition that the conversation is
        ``landlord``'s (else :class:`ConversationMismatchError`) and received ``message_id``
        (else :class:`ConversationNotFoundError`)."""
        pk = _pk(conversation_id)
        expires_at = int(time.time()) + retention_days * 86400
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": to_item({"pk": pk, "sk": META_SORT_KEY}),
                    "UpdateExpression": "SET #score = :score",
                    "ConditionExpression": "#landlord = :landlord",
                    "ExpressionAttributeNames": {
                        "#score": f"{ANSWER_SCORE_PREFIX}{review.message_id}",
                        "#landlord": LANDLORD_ATTRIBUTE,
                    },
                    "ExpressionAttributeValues": to_item(
                        {":score": review.score, ":landlord": landlord}
                    ),
                }
            },
            {
                "ConditionCheck": {
                    "TableName": self.table,
                    "Key": to_item({"pk": pk, "sk": _receipt_key(review.message_id)}),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self.table,
                    "Item": to_item(
                        {
                            "pk": pk,
                            "sk": _review_key(review.message_id),
                            "expires_at": expires_at,
                            "score": review.score,
                            "comment": review.comment,
                            "reviewer": review.reviewer,
                            "reviewed_ms": review.reviewed_ms,
                        }
                    ),
                }
            },
        ]
        try:
            transact_write(self.client, items, self.retry)
        except self.client.exceptions.TransactionCanceledException as error:
            meta = self.get_meta(conversation_id)
            if meta is not None and meta.landlord != landlord:
                raise ConversationMismatchError(
                    "this conversation belongs to another landlord"
                ) from error
            raise ConversationNotFoundError(
                f"message {review.message_id} was never received in {conversation_id}"
            ) from error

    def delete(self, conversation_id: str) -> int:
        """Delete every item of a conversation (GDPR erasure); returns how many."""
        keys = [
            {"pk": item["pk"], "sk": item["sk"]}
            for item in query_items(
                self.client,
                TableName=self.table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues=to_item({":pk": _pk(conversation_id)}),
                ProjectionExpression="pk, sk",
            )
        ]
        for start in range(0, len(keys), 25):
            batch = [{"DeleteRequest": {"Key": key}} for key in keys[start : start + 25]]
            pending: dict[str, Any] = {self.table: batch}
            while pending:
                response = self.client.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
        return len(keys)

    # ------------------------------------------------------------------ reads
    def get_meta(self, conversation_id: str) -> ConversationMeta | None:
        response = self.client.get_item(
            TableName=self.table,
            Key=to_item({"pk": _pk(conversation_id), "sk": META_SORT_KEY}),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return _meta_from(item) if item else None

    def last_turns(self, conversation_id: str, limit: int = 10) -> list[Turn]:
        response = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :turn)",
            ExpressionAttributeValues=_turns_of(conversation_id),
            ScanIndexForward=False,
            Limit=limit,
            ConsistentRead=True,
        )
        return [_turn_from(item) for item in reversed(response.get("Items", []))]

    def all_turns(self, conversation_id: str) -> list[Turn]:
        items = query_items(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :turn)",
            ExpressionAttributeValues=_turns_of(conversation_id),
        )
        return [_turn_from(item) for item in items]

    def answer_reviews(self, conversation_id: str) -> dict[str, AnswerReview]:
        """Staff's reviews of a conversation's answers, by message id."""
        items = query_items(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :review)",
            ExpressionAttributeValues=to_item(
                {":pk": _pk(conversation_id), ":review": REVIEW_PREFIX}
            ),
        )
        reviews = [_review_from(item) for item in items]
        return {review.message_id: review for review in reviews}

    def answer_to(self, conversation_id: str, message_id: str) -> Turn | None:
        """The stored answer to a user message, or None while it is still being answered."""
        return self.exchange(conversation_id, message_id)[1]

    def exchange(self, conversation_id: str, message_id: str) -> tuple[Turn | None, Turn | None]:
        """The stored (user turn, answer) of one message id; None for what is not stored."""
        items = query_items(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :turn)",
            FilterExpression="message_id = :message",
            ExpressionAttributeValues={
                **_turns_of(conversation_id),
                **to_item({":message": message_id}),
            },
            ConsistentRead=True,
        )
        turns = [_turn_from(item) for item in items]
        question = next((t for t in turns if t.role == "user"), None)
        answer = next((t for t in reversed(turns) if t.role == "assistant"), None)
        return question, answer

    def conversations_of_day(
        self, landlord: str, day: str, *, limit: int = 50, after: str = ""
    ) -> tuple[list[ConversationMeta], str]:
        """A landlord's conversations started on ``day`` (YYYY-MM-DD), newest first: up to
        ``limit`` after the cursor ``after``, and the cursor of the next page ("" at the end)."""
        items, last = query_page(
            self.client,
            start=_day_start_key(landlord, day, after),
            TableName=self.table,
            IndexName=BY_LANDLORD_DAY_INDEX,
            KeyConditionExpression="gsi1pk = :g",
            ExpressionAttributeValues=to_item({":g": _day_key(landlord, day)}),
            ScanIndexForward=False,
            Limit=limit,
        )
        metas = [_meta_from(item) for item in items]
        return metas, day_cursor(metas[-1]) if last is not None and metas else ""

    def conversations_of_sms_sender(self, landlord: str, phone_hash: str) -> list[ConversationMeta]:
        """Every conversation of the SMS number whose keyed hash is ``phone_hash`` at
        ``landlord``, newest first: one Query of the ``by-sms-sender`` index (its range key is
        the landlord, so another landlord's conversations of the same number are never read),
        then their META items in batches. The index holds keys only: its keys never change, so
        the META updates of every turn and answer never write it (a data request is rare)."""
        keys = [
            {"pk": item["pk"], "sk": item["sk"]}
            for item in query_items(
                self.client,
                TableName=self.table,
                IndexName=BY_SMS_SENDER_INDEX,
                KeyConditionExpression="#sender = :sender AND #landlord = :landlord",
                ExpressionAttributeNames={
                    "#sender": SMS_SENDER_ATTRIBUTE,
                    "#landlord": LANDLORD_ATTRIBUTE,
                },
                ExpressionAttributeValues=to_item({":sender": phone_hash, ":landlord": landlord}),
            )
        ]
        metas = [_meta_from(item) for item in self._get_items(keys)]
        return sorted(metas, key=lambda meta: (meta.created_ms, meta.conversation_id), reverse=True)

    def _get_items(self, keys: list[Item]) -> Iterator[Item]:
        """The items of ``keys`` that still exist (BatchGetItem, 100 keys a call)."""
        for start in range(0, len(keys), 100):
            pending: dict[str, Any] = {
                self.table: {"Keys": keys[start : start + 100], "ConsistentRead": True}
            }
            while pending:
                response = self.client.batch_get_item(RequestItems=pending)
                yield from response.get("Responses", {}).get(self.table, [])
                pending = response.get("UnprocessedKeys") or {}
