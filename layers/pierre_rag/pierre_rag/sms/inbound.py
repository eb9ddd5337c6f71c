"""CM.com inbound (MO) webhook payload, what kind of message it is, and the queue message.

CM posts JSON (``application/json``, UTF-8) and retries every 5 minutes for up to a month
until it gets a 200. Documented fields: ``from.number``, ``to.number``, ``message.text``
(and ``message.media`` for media), ``reference``, ``groupings``, ``timeUtc``
(``yyyy-MM-ddTHH:mm:ss``), ``channel``, ``messageContext``. Unknown fields are ignored so a
new CM field never turns into a retry storm.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from pierre_rag.limits import MAX_MESSAGE_CHARS
from pierre_rag.phones import InvalidPhoneNumberError, normalise_phone

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
E164 = r"^\+[1-9][0-9]{6,14}$"
"""ASCII digits only (``\\d`` would take any script's digits: a number CM cannot send to,
and whose STOP would not match the same number written in ASCII)."""


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class CmParty(_Lenient):
    number: str = Field(min_length=3, max_length=32)
    name: str | None = Field(default=None, max_length=200)


class CmMedia(_Lenient):
    media_uri: str | None = Field(default=None, alias="mediaUri", max_length=2000)
    content_type: str | None = Field(default=None, alias="contentType", max_length=200)
    title: str | None = Field(default=None, max_length=500)


class CmMessage(_Lenient):
    # No length cap here: the body is capped (64 KB) and a long text is answered on its
    # first MAX_MESSAGE_CHARS characters, never refused (CM would retry it for a month).
    text: str | None = None
    media: CmMedia | None = None


class CmInbound(_Lenient):
    """One inbound message as CM.com posts it to the webhook."""

    sender: CmParty = Field(alias="from")
    recipient: CmParty = Field(alias="to")
    message: CmMessage
    reference: str = Field(min_length=1, max_length=200)
    time_utc: datetime = Field(alias="timeUtc")
    channel: str = Field(default="SMS", max_length=50)
    groupings: list[str | None] | None = None
    message_context: str | None = Field(default=None, alias="messageContext", max_length=2000)

    @field_validator("time_utc")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        try:
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError:
            raise ValueError("time out of range") from None
        if value < EPOCH:
            # CM stamps the time itself: an earlier one is not a message CM delivered, and
            # the message id and the conversation windows count milliseconds since 1970.
            raise ValueError("time before 1970")
        return value

    @property
    def message_id(self) -> str:
        """Our id for this inbound message: stable across CM's retries of it.

        CM documents ``reference`` as the reference of the outgoing message a reply answers,
        so it is combined with the message's time to tell two replies apart.
        """
        key = f"{self.reference}\x1f{self.time_utc.isoformat()}".encode()
        return "sms-" + hashlib.sha256(key).hexdigest()[:32]


class InboundKind(StrEnum):
    QUESTION = "question"
    EMPTY = "empty"  # no text, or media only: the reply asks for a text message
    STOP = "stop"  # opt-out keyword: recorded, never answered


# Whole-message keywords (after case, accent and punctuation folding) that mean "opt out".
STOP_KEYWORDS = frozenset(
    {
        "stop", "stop sms", "stopsms", "stop all", "stopall", "arret", "arret sms", "arreter",
        "desabonnement", "desabonner", "desinscription", "desinscrire", "unsubscribe",
        "cancel", "end", "quit",
    }
)  # fmt: skip


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", letters).split())


def is_stop(text: str) -> bool:
    return _fold(text) in STOP_KEYWORDS


def classify(text: str | None) -> InboundKind:
    if text is None or not text.strip():
        return InboundKind.EMPTY
    return InboundKind.STOP if is_stop(text) else InboundKind.QUESTION


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters between words; and whether it was cut."""
    text = text.strip()
    if len(text) <= limit:
        return text, False
    cut = text[: limit + 1].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut[:limit].rstrip(), True


OLD_LANDLORD_FIELD = "tenant"  # compat: old name, in flight in SQS


class QueuedSms(BaseModel):
    """The SQS message between the webhook and the worker.

    ``sender`` is the only place the person's number is kept in clear: the worker needs it
    to reply. Conversation records only ever get its keyed hash.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    kind: Literal["question", "empty", "stop"]  # "stop" is recorded, never queued
    message_id: str = Field(min_length=1, max_length=100)
    # Messages queued before the rename use the old name: accepted while the queue drains.
    landlord: str = Field(
        min_length=1,
        max_length=253,
        validation_alias=AliasChoices("landlord", OLD_LANDLORD_FIELD),
    )
    sender: str = Field(pattern=E164)
    recipient: str = Field(pattern=E164)  # the landlord's number
    text: str = Field(default="", max_length=MAX_MESSAGE_CHARS)
    truncated: bool = False
    received_ms: int = Field(ge=0)


def parse_queued(body: str) -> QueuedSms:
    """The queue message, or a ValueError naming fields only (values may be numbers)."""
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("SMS queue message must be a JSON object")
    try:
        return QueuedSms.model_validate(data)
    except ValidationError as error:
        fields = ", ".join(
            ".".join(str(p) for p in item["loc"]) for item in error.errors(include_input=False)
        )
        raise ValueError(f"invalid SMS queue message: {fields}") from None


def phone(raw: str) -> str | None:
    try:
        return normalise_phone(raw)
    except InvalidPhoneNumberError:
        return None
