"""The worker's work for one queued SMS: answer it, split it, send it once.

Once: duplicates and redeliveries never send twice; only a worker dying between CM accepting
and the send being recorded sends again (CM's API has no idempotency key; docs/sms.md).

1. A delivery record already ``sent`` (or ``suppressed``, ``limited``) → nothing to do;
   ``rejected`` → fail again without calling CM, so the message reaches the dead-letter queue.
2. First time: assign the message to its number's 24 h conversation and count it against the
   number's hourly quota (:mod:`.quota`); both are kept in the record, so a retry after the
   window rolled over still uses them. Past the quota: one notice, then no answer (logged,
   ``limited`` on the record).
3. Answer with the pipeline (``channel="sms"``): idempotent on the message id, a retry
   replays the stored answer instead of generating a new one.
4. A STOP recorded after the message was received suppresses the reply.
5. Split the answer (spelled as written, UCS-2 if a letter needs it, unless the landlord
   folds accents: ``sms.fold_accents``), take the delivery lease, send through CM, mark
   ``sent``. A failed send gives the lease back and fails the record (SQS retries it, then
   moves it to the DLQ); CM refusing the message marks it ``rejected``.

Known limit: a timed-out CM request may have been accepted; its retry can then send the
answer twice. CM offers no idempotency key to prevent that.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pierre_rag.conversations import SMS_SENDER_ATTRIBUTE
from pierre_rag.phones import pseudonymise_phone
from pierre_rag.sms.cm_client import CmClient, CmError, CmRejectedError
from pierre_rag.sms.inbound import QueuedSms
from pierre_rag.sms.quota import LIMIT_NOTICE, Allowance, NumberQuota
from pierre_rag.sms.splitting import split_sms
from pierre_rag.storage.ports import SmsStateRepository

if TYPE_CHECKING:
    from pierre_rag.metrics import OperationsMetrics
    from pierre_rag.pipeline.models import AnswerResult, TurnRequest

logger = logging.getLogger(__name__)

# An empty or media-only message has no language to answer in: French, then English, in one SMS.
ASK_FOR_TEXT = (
    "Bonjour ! Je ne lis que le texte : écrivez votre question. / "
    "Hello! I can only read text: please type your question."
)

Answer = Callable[["TurnRequest"], Awaitable["AnswerResult"]]
Runner = Callable[[Awaitable["AnswerResult"]], "AnswerResult"]


class DeliveryRejectedError(RuntimeError):
    """CM refused this answer earlier: fail until the message reaches the dead-letter queue."""


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str  # sent | already_sent | suppressed | limited
    conversation_id: str
    parts: int = 0
    encoding: str = ""


def cm_reference(message_id: str) -> str:
    """A short reference for CM (parts get ``-1``, ``-2``…)."""
    return "p" + message_id.removeprefix("sms-")[:24]


class SmsWorker:
    def __init__(
        self,
        *,
        state: SmsStateRepository,
        cm: CmClient,
        answer: Answer,
        run: Runner,
        hash_key: bytes,
        lease_s: int = 120,
        quota: NumberQuota | None = None,
        fold_accents: Callable[[str], bool] = lambda landlord: False,
        metrics: OperationsMetrics | None = None,
    ) -> None:
        self.state = state
        self.cm = cm
        self.answer = answer
        self.run = run
        self.hash_key = hash_key
        self.lease_s = lease_s
        self.quota = quota
        self.fold_accents = fold_accents  # landlord id → its sms.fold_accents
        self.metrics = metrics  # SMS sent (and parts) or failed, per landlord

    def process(self, queued: QueuedSms) -> DeliveryOutcome:
        log = {"message_id": queued.message_id, "landlord": queued.landlord}
        if queued.kind == "stop":  # the webhook records those; never answer one
            return DeliveryOutcome("suppressed", "")
        delivery = self.state.delivery(queued.message_id)
        if delivery is not None and delivery.status in ("sent", "suppressed", "limited"):
            logger.info(
                "SMS already handled, not sent again", extra={**log, "status": delivery.status}
            )
            return DeliveryOutcome("already_sent", delivery.conversation_id)
        if delivery is not None and delivery.status == "rejected":
            raise DeliveryRejectedError(delivery.error or "CM refused the answer")
        phone_hash = pseudonymise_phone(queued.sender, self.hash_key)
        if delivery is None:
            conversation = self.state.conversation_for(
                queued.landlord, phone_hash, queued.received_ms
            )
            allowance = (
                self.quota.take(queued.landlord, phone_hash) if self.quota else Allowance.ANSWER
            )
            delivery = self.state.assign(queued.message_id, conversation, allowance.value)
        conversation_id = delivery.conversation_id
        if delivery.allowance == Allowance.NONE:
            self.state.finish(queued.message_id, "limited")
            logger.warning(
                "SMS not answered: its number reached the landlord's hourly limit", extra=log
            )
            return DeliveryOutcome("limited", conversation_id)

        text = (
            LIMIT_NOTICE
            if delivery.allowance == Allowance.NOTICE
            else self._reply_text(queued, conversation_id, phone_hash)
        )
        opted_out = self.state.opted_out_ms(queued.landlord, phone_hash)
        if opted_out is not None and opted_out >= queued.received_ms:
            self.state.finish(queued.message_id, "suppressed")
            logger.info("reply suppressed: the sender opted out", extra=log)
            return DeliveryOutcome("suppressed", conversation_id)

        split = split_sms(text, fold_accents=self.fold_accents(queued.landlord))
        if not self.state.claim(queued.message_id, self.lease_s):
            logger.info("SMS already sent, not sent again", extra=log)
            return DeliveryOutcome("already_sent", conversation_id)
        try:
            sent = self.cm.send(
                sender=queued.recipient,
                recipient=queued.sender,
                parts=split.parts,
                reference=cm_reference(queued.message_id),
            )
        except CmRejectedError as error:
            self._count_failure(queued.landlord)
            self.state.finish(queued.message_id, "rejected", error=str(error)[:500])
            logger.error("CM refused the answer", extra={**log, "reason": str(error)})
            raise
        except CmError as error:
            self._count_failure(queued.landlord)
            self.state.release(queued.message_id, str(error))
            logger.warning(
                "CM unavailable, the message will be retried", extra={**log, "reason": str(error)}
            )
            raise
        self.state.finish(
            queued.message_id,
            "sent",
            parts=len(split.parts),
            encoding=split.encoding.value,
            cm_attempts=sent.attempts,
        )
        if self.metrics is not None:
            self.metrics.sms_sent(queued.landlord, len(split.parts))
        logger.info(
            "SMS answer sent",
            extra={
                **log,
                "parts": len(split.parts),
                "encoding": split.encoding.value,
                "truncated": split.truncated,
                "cm_attempts": sent.attempts,
            },
        )
        return DeliveryOutcome("sent", conversation_id, len(split.parts), split.encoding.value)

    def _count_failure(self, landlord: str) -> None:
        if self.metrics is not None:
            self.metrics.sms_failed(landlord)

    def _reply_text(self, queued: QueuedSms, conversation_id: str, phone_hash: str) -> str:
        if queued.kind != "question":
            return ASK_FOR_TEXT
        from pierre_rag.pipeline.models import TurnRequest

        result = self.run(
            self.answer(
                TurnRequest(
                    landlord=queued.landlord,
                    context="default",
                    channel="sms",
                    conversation_id=conversation_id,
                    message_id=queued.message_id,
                    text=queued.text,
                    extra_meta={SMS_SENDER_ATTRIBUTE: phone_hash, "sms_to": queued.recipient},
                )
            )
        )
        if not queued.truncated:
            return result.text
        from pierre_rag.pipeline.messages import phrases

        note = phrases(result.language).long_message
        if result.emergencies:  # the emergency block stays first
            return f"{result.text}\n{note}"
        return f"{note}\n{result.text}"
