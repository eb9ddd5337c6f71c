"""The webhook's work: validate a CM.com inbound message, route it, record or queue it once.

Idempotency: Powertools' ``idempotent_function`` on the DynamoDB idempotency table, keyed by
our message id (CM ``reference`` + ``timeUtc``), kept 32 days because CM retries for up to a
month. If queuing fails the record is removed and CM's retry tries again; nothing is
half-written. Answers:

- 200 ``queued`` — a question, or an empty / media-only message (the worker asks for text);
- 200 ``opted_out`` — a STOP keyword: recorded, never answered;
- 200 ``ignored`` — a number no landlord uses, a sender we cannot reply to (not an E.164
  number in ASCII digits), or a landlord's own number (two automated numbers would answer
  each other forever). Logged with the reason and without the number: the message is a
  real one CM delivered, and an error status would only make CM retry it for a month;
- 400 — not UTF-8, not JSON (or nested deeper than the parser goes), or not a CM inbound
  message, e.g. a ``timeUtc`` before 1970, which CM never stamps (the reason, never the
  values; logged). Such a body is not a message a person sent through CM;
- 413 — a body over 64 KB.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from pierre_rag.sms.inbound import CmInbound, InboundKind, QueuedSms, classify, clip, phone
from pierre_rag.sms.routing import landlord_for

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
IDEMPOTENCY_EXPIRY_S = 32 * 86400


@dataclass(frozen=True)
class Reply:
    status: int
    payload: dict[str, Any] = field(default_factory=dict)


def _errors(error: ValidationError) -> list[str]:
    """Field paths and reasons only: pydantic's input values may hold phone numbers."""
    return [
        f"{'.'.join(str(p) for p in item['loc']) or '(body)'}: {item['msg']}"
        for item in error.errors(include_input=False, include_url=False)
    ][:10]


def secret_matches(candidate: str, expected: str) -> bool:
    """Constant-time comparison of the webhook path's secret (CM signs nothing)."""
    return hmac.compare_digest(candidate.encode(), expected.encode())


def number_hint(number: str) -> str:
    """What logs may show of a number: its length and last two digits."""
    digits = "".join(c for c in number if c.isdigit())
    return f"…{digits[-2:]} ({len(digits)} digits)"


class Intake:
    """``commit`` runs at most once per message id (wrap it with idempotency in production)."""

    def __init__(
        self,
        routes: Mapping[str, str],
        enqueue: Callable[[QueuedSms], None],
        record_opt_out: Callable[[QueuedSms], None],
    ) -> None:
        self.routes = routes
        self.enqueue = enqueue
        self.record_opt_out = record_opt_out
        self.commit: Callable[..., dict[str, str]] = self._commit

    def handle(self, body: str | bytes | None, *, base64_encoded: bool = False) -> Reply:
        """The webhook's answer to a request body (as the HTTP API event carries it)."""
        if base64_encoded and isinstance(body, str):
            try:
                body = base64.b64decode(body, validate=True)
            except ValueError:  # binascii.Error
                body = b"\xff"  # refused below as not UTF-8
        reply = self._parse(body)
        if isinstance(reply, Reply):
            logger.warning(
                "SMS webhook body refused",
                extra={"status": reply.status, "reason": reply.payload.get("message")},
            )
            return reply
        return self.route(reply)

    @staticmethod
    def _parse(body: str | bytes | None) -> CmInbound | Reply:
        """The validated message, or the 4xx saying why not (never a 5xx: CM retries those)."""
        size = len(body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body or b"")
        if size > MAX_BODY_BYTES:
            return Reply(413, {"message": f"body larger than {MAX_BODY_BYTES} bytes"})
        if isinstance(body, bytes):
            try:
                body = body.decode("utf-8")
            except UnicodeDecodeError:
                return Reply(400, {"message": "body is not UTF-8 text"})
        if body is None or not body.strip():
            return Reply(400, {"message": "empty body: expected a CM.com inbound JSON message"})
        try:
            data = json.loads(body)
        except json.JSONDecodeError as error:
            return Reply(400, {"message": f"body is not valid JSON ({error.msg})"})
        except RecursionError:
            return Reply(400, {"message": "body is not valid JSON (nested too deeply)"})
        except ValueError as error:  # e.g. an integer past the digit limit
            return Reply(400, {"message": f"body is not valid JSON ({str(error)[:80]})"})
        if not isinstance(data, dict):
            return Reply(400, {"message": "body must be a JSON object"})
        try:
            return CmInbound.model_validate(data)
        except ValidationError as error:
            return Reply(400, {"message": "not a CM.com inbound message", "errors": _errors(error)})

    def route(self, inbound: CmInbound) -> Reply:
        landlord = landlord_for(inbound.recipient.number, self.routes)
        if landlord is None:
            logger.warning(
                "SMS to a number no landlord uses: ignored",
                extra={"to": number_hint(inbound.recipient.number), "channel": inbound.channel},
            )
            return Reply(200, {"status": "ignored"})
        sender, recipient = phone(inbound.sender.number), phone(inbound.recipient.number)
        if sender is None or recipient is None:
            return self._ignored(inbound, landlord, "the sender is not a number we can reply to")
        if sender in self.routes:
            return self._ignored(inbound, landlord, "the sender is a landlord's own number")
        kind = classify(inbound.message.text)
        text, truncated = (
            clip(inbound.message.text or "")
            if kind is InboundKind.QUESTION
            else (
                "",
                False,
            )
        )
        item = QueuedSms(
            kind=kind.value,
            message_id=inbound.message_id,
            landlord=landlord,
            sender=sender,
            recipient=recipient,
            text=text,
            truncated=truncated,
            received_ms=int(inbound.time_utc.timestamp() * 1000),
        )
        outcome = self.commit(item=item)
        logger.info(
            "inbound SMS accepted",
            extra={
                "message_id": item.message_id,
                "landlord": landlord,
                "kind": kind.value,
                "truncated": truncated,
                "status": outcome.get("status"),
            },
        )
        return Reply(200, {"status": outcome.get("status", "queued")})

    @staticmethod
    def _ignored(inbound: CmInbound, landlord: str, reason: str) -> Reply:
        logger.warning(
            "SMS ignored: %s",
            reason,
            extra={
                "landlord": landlord,
                "message_id": inbound.message_id,
                "from": number_hint(inbound.sender.number),
                "reason": reason,
            },
        )
        return Reply(200, {"status": "ignored"})

    def _commit(self, item: QueuedSms) -> dict[str, str]:
        if item.kind == "stop":
            self.record_opt_out(item)
            return {"status": "opted_out", "message_id": item.message_id}
        self.enqueue(item)
        return {"status": "queued", "message_id": item.message_id}


def make_idempotent(intake: Intake, persistence: Any, lambda_context: Any | None = None) -> Any:
    """Wrap ``intake.commit`` with Powertools idempotency; returns the config (to register
    each invocation's Lambda context, which bounds how long an in-progress record blocks)."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

    config = IdempotencyConfig(
        event_key_jmespath="message_id",
        expires_after_seconds=IDEMPOTENCY_EXPIRY_S,
        raise_on_no_idempotency_key=True,
    )
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)
    intake.commit = idempotent_function(
        data_keyword_argument="item", persistence_store=persistence, config=config
    )(intake._commit)
    return config
