"""The worker's delivery logic with moto DynamoDB, the fake CM and a scripted answerer."""

from __future__ import annotations

import asyncio

import pytest

from pierre_rag.metrics import MemoryRecorder, Metric, OperationsMetrics
from pierre_rag.pipeline.models import AnswerResult, Outcome, TurnRequest
from pierre_rag.sms.cm_client import CmClient, CmRejectedError, CmUnavailableError
from pierre_rag.sms.inbound import QueuedSms
from pierre_rag.sms.windowing import WINDOW_MS
from pierre_rag.sms.worker import ASK_FOR_TEXT, DeliveryRejectedError, SmsWorker
from pierre_rag.storage.memory import MemorySmsState
from tests.fakes.cm_server import Accept, Fail, FakeCm
from tests.unit.sms.support import (
    LANDLORD,
    LANDLORD_NUMBER,
    PHONE,
)

T0 = 1_795_615_331_000


class Answerer:
    def __init__(
        self,
        text: str = "Le préavis est de trois mois.",
        language: str = "fr",
        emergencies: tuple[str, ...] = (),
    ) -> None:
        self.text = text
        self.language = language
        self.emergencies = list(emergencies)
        self.requests: list[TurnRequest] = []

    async def __call__(self, request: TurnRequest) -> AnswerResult:
        self.requests.append(request)
        return AnswerResult(
            text=self.text,
            outcome=Outcome.ANSWERED,
            language=self.language,
            emergencies=self.emergencies,
        )


@pytest.fixture
def cm():
    with FakeCm(token="tok") as server:
        yield server


@pytest.fixture
def state():
    return MemorySmsState()


def _worker(state, cm, answerer=None, attempts=2, **options) -> SmsWorker:
    loop = asyncio.new_event_loop()
    return SmsWorker(
        state=state,
        cm=CmClient(cm.url, "tok", attempts=attempts, sleep=lambda s: None, timeout_s=1),
        answer=answerer or Answerer(),
        run=loop.run_until_complete,
        hash_key=b"k",
        **options,
    )


def _queued(message_id="sms-1", received_ms=T0, kind="question", **kwargs) -> QueuedSms:
    return QueuedSms(
        kind=kind,
        message_id=message_id,
        landlord=LANDLORD,
        sender=PHONE,
        recipient=LANDLORD_NUMBER,
        text=kwargs.pop("text", "Quel est le préavis ?" if kind == "question" else ""),
        received_ms=received_ms,
        **kwargs,
    )


def test_an_answer_is_sent_from_the_landlord_number_to_the_sender(state, cm):
    outcome = _worker(state, cm).process(_queued())

    assert outcome.status == "sent"
    assert [(s.sender, s.recipient, s.content) for s in cm.sent] == [
        ("0033199000042", "0033612345678", "Le préavis est de trois mois.")
    ]


def test_a_redelivered_message_is_not_sent_twice(state, cm):
    worker = _worker(state, cm)
    worker.process(_queued())

    again = worker.process(_queued())

    assert again.status == "already_sent"
    assert len(cm.sent) == 1


def test_cm_outage_then_recovery_delivers_exactly_once(state, cm):
    cm.script(Fail(503))
    worker = _worker(state, cm, attempts=2)

    with pytest.raises(CmUnavailableError):
        worker.process(_queued())
    assert cm.sent == []
    assert state.delivery("sms-1").error == "CM answered HTTP 503"

    cm.script(Accept())
    assert worker.process(_queued()).status == "sent"
    assert worker.process(_queued()).status == "already_sent"
    assert len(cm.sent) == 1


def test_a_refused_answer_fails_again_without_calling_cm(state, cm):
    cm.script(Fail(400))
    worker = _worker(state, cm)
    with pytest.raises(CmRejectedError):
        worker.process(_queued())

    with pytest.raises(DeliveryRejectedError):
        worker.process(_queued())

    assert len(cm.requests) == 1


def test_messages_within_24_hours_share_a_conversation_and_later_ones_do_not(state, cm):
    answerer = Answerer()
    worker = _worker(state, cm, answerer)

    first = worker.process(_queued("sms-1", T0))
    second = worker.process(_queued("sms-2", T0 + WINDOW_MS - 1))
    third = worker.process(_queued("sms-3", T0 + WINDOW_MS + 1))

    assert first.conversation_id == second.conversation_id != third.conversation_id
    assert [r.channel for r in answerer.requests] == ["sms"] * 3


def test_the_conversation_assignment_survives_a_retry_after_the_window(state, cm):
    cm.script(Fail(503))
    worker = _worker(state, cm)
    with pytest.raises(CmUnavailableError):
        worker.process(_queued("sms-1", T0))
    cm.script(Accept())
    worker.process(_queued("sms-9", T0 + 2 * WINDOW_MS))  # opens a newer window

    retried = worker.process(_queued("sms-1", T0))

    assert retried.conversation_id == state.delivery("sms-1").conversation_id
    assert retried.conversation_id != state.delivery("sms-9").conversation_id


def test_conversation_records_get_a_keyed_hash_never_the_number(state, cm):
    answerer = Answerer()
    _worker(state, cm, answerer).process(_queued())

    meta = answerer.requests[0].extra_meta
    assert meta["sms_from"].startswith("tel_") and PHONE not in str(meta)


def test_a_stop_received_after_the_question_suppresses_the_reply(state, cm):
    from pierre_rag.phones import pseudonymise_phone

    state.record_opt_out(LANDLORD, pseudonymise_phone(PHONE, b"k"), T0 + 1000)

    outcome = _worker(state, cm).process(_queued(received_ms=T0))

    assert outcome.status == "suppressed" and cm.sent == []


def test_a_question_after_a_stop_is_answered(state, cm):
    from pierre_rag.phones import pseudonymise_phone

    state.record_opt_out(LANDLORD, pseudonymise_phone(PHONE, b"k"), T0 - 1000)

    assert _worker(state, cm).process(_queued(received_ms=T0)).status == "sent"


def test_an_empty_message_gets_a_request_for_text_without_the_pipeline(state, cm):
    answerer = Answerer()

    _worker(state, cm, answerer).process(_queued(kind="empty"))

    assert answerer.requests == []
    assert len(cm.sent) == 1 and "question" in cm.sent[0].content
    assert ASK_FOR_TEXT.startswith("Bonjour")


def test_a_truncated_question_gets_a_note(state, cm):
    _worker(state, cm).process(_queued(truncated=True))

    assert cm.sent[0].content.startswith("(Votre message était long")


def test_the_note_on_a_long_message_follows_the_language_of_the_answer(state, cm):
    answerer = Answerer("Three months' notice.", language="en")

    _worker(state, cm, answerer).process(_queued(truncated=True))

    assert cm.sent[0].content.startswith("(Your message was long")


def test_the_note_on_a_long_message_follows_an_emergency_block(state, cm):
    # Given a clipped message whose answer starts with the emergency block
    answerer = Answerer("URGENCE\n- Sortez tout de suite.", emergencies=("gas",))

    # When it is answered by SMS
    _worker(state, cm, answerer).process(_queued(truncated=True))

    # Then the block comes first and the note after it
    assert cm.sent[0].content.startswith("URGENCE")
    assert cm.sent[0].content.endswith("(Votre message était long : j'ai répondu à son début.)")


def test_a_long_answer_is_sent_in_marked_parts(state, cm):
    answerer = Answerer("Une phrase assez longue pour remplir un SMS entier. " * 8)

    outcome = _worker(state, cm, answerer).process(_queued())

    assert outcome.parts == len(cm.sent) > 1
    total = outcome.parts
    assert [s.content[:6] for s in cm.sent] == [f"({i}/{total}) " for i in range(1, total + 1)]


def test_an_answer_is_sent_spelled_as_written(state, cm):
    # Given an answer with letters GSM-7 lacks
    answerer = Answerer("Côté cuisine, il faut être prudent.")

    # When the worker sends it for a landlord that did not choose to fold accents
    outcome = _worker(state, cm, answerer).process(_queued())

    # Then the tenant reads it as written, in UCS-2, and the delivery record says so
    assert [s.content for s in cm.sent] == ["Côté cuisine, il faut être prudent."]
    assert outcome.encoding == "ucs2"
    assert state.deliveries["sms-1"]["encoding"] == "ucs2"


def test_a_landlord_folding_accents_gets_its_answers_in_gsm7(state, cm):
    # Given a landlord that chose cost over accents, and another that did not
    answerer = Answerer("Côté cuisine, il faut être prudent.")
    folds = {LANDLORD: True}

    # When the worker sends the answer for the first one
    outcome = _worker(state, cm, answerer, fold_accents=folds.__getitem__).process(_queued())

    # Then its accents GSM-7 lacks are folded and it goes as GSM-7
    assert [s.content for s in cm.sent] == ["Coté cuisine, il faut etre prudent."]
    assert outcome.encoding == "gsm7"


def test_a_sent_answer_and_a_cm_failure_are_counted_for_the_landlord(state, cm):
    # Given a worker reporting its operations metrics
    recorder = MemoryRecorder()
    metrics = OperationsMetrics(recorder, lambda: [LANDLORD], usd_to_eur=1.0)
    long_answer = "Le préavis est de trois mois. " * 12  # more than one SMS part
    worker = _worker(state, cm, Answerer(text=long_answer), attempts=1, metrics=metrics)

    # When CM is down once, then takes the answer
    cm.script(Fail(503))
    with pytest.raises(CmUnavailableError):
        worker.process(_queued())
    cm.script(Accept())
    worker.process(_queued())

    # Then one failure, one SMS sent, in as many parts as CM received
    assert recorder.total(Metric.SMS_FAILED, LANDLORD) == 1
    assert recorder.total(Metric.SMS_SENT, LANDLORD) == 1
    assert recorder.total(Metric.SMS_PARTS, LANDLORD) == len(cm.sent) > 1
