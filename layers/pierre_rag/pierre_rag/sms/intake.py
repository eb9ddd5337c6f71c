"""The webhook's work: validate a CM.com inbound message, route it, record or queue it once.

Idempotency: Powertools' ``idempotent_function`` on the DynamoDB idempotency table, keyed by
our message id (CM ``reference`` + ``timeUtc``), kept 32 days because CM retries for up to a
month. If queuing fails the record is removed and CM's retry tries again; nothing is
half-written. Answers:

- 200 ``queued`` — a question, or an empty / media-only message (the worker asks for text);
- 200 ``opted_out`` — a STOP keyword: recorded, never answered;
- 200 ``ignored`` — a number no landlord uses, or a sender we cannot reply to (logged
  without the number: an error status would only make CM retry for a month);
- 400 — not JSON, or not a CM inbound message (the reason, never the values);
- 413 — a body over 64 KB.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from pierre_rag.sms.inbound import CmInbound, InboundKind, QueuedSms, classify, clip, phone
from pierre_rag.sms.routing import tenant_for

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

    def handle(self, body: str | None) -> Reply:
        if body is None or not body.strip():
            return Reply(400, {"message": "empty body: expected a CM.com inbound JSON message"})
        if len(body.encode()) > MAX_BODY_BYTES:
            return Reply(413, {"message": f"body larger than {MAX_BODY_BYTES} bytes"})
        try:
            data = json.loads(body)
        except json.JSONDecodeError as error:
            return Reply(400, {"message": f"body is not valid JSON ({error.msg})"})
        if not isinstance(data, dict):
            return Reply(400, {"message": "body must be a JSON object"})
        try:
            inbound = CmInbound.model_validate(data)
        except ValidationError as error:
            return Reply(400, {"message": "not a CM.com inbound message", "errors": _errors(error)})
        return self.route(inbound)

    def route(self, inbound: CmInbound) -> Reply:
        tenant = tenant_for(inbound.recipient.number, self.routes)
        if tenant is None:
            logger.warning(
                "SMS to a number no landlord uses: ignored",
                extra={"to": number_hint(inbound.recipient.number), "channel": inbound.channel},
            )
            return Reply(200, {"status": "ignored"})
        sender, recipient = phone(inbound.sender.number), phone(inbound.recipient.number)
        if sender is None or recipient is None:
            logger.warning(
                "SMS from a sender we cannot reply to: ignored",
                extra={"tenant": tenant, "from": number_hint(inbound.sender.number)},
            )
            return Reply(200, {"status": "ignored"})
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
            tenant=tenant,
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
                "tenant": tenant,
                "kind": kind.value,
                "truncated": truncated,
                "status": outcome.get("status"),
            },
        )
        return Reply(200, {"status": outcome.get("status", "queued")})

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
