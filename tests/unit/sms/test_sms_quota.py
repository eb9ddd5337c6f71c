"""Answers per number and hour: N answers, one notice, then silence until the next hour
(worker logic with the in-memory repositories, the fake CM and a scripted answerer)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pierre_rag.landlords import SmsConfig
from pierre_rag.sms.cm_client import CmClient
from pierre_rag.sms.quota import LIMIT_NOTICE, NumberQuota
from pierre_rag.sms.worker import SmsWorker
from pierre_rag.storage.memory import MemoryRateLimits, MemorySmsState
from tests.fakes.cm_server import FakeCm
from tests.unit.sms.support import LANDLORD_NUMBER
from tests.unit.sms.test_sms_worker_logic import T0, Answerer, _queued

HOUR_START = 1_795_615_200  # a whole hour (seconds): the quota's fixed windows start there


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cm() -> Any:
    with FakeCm(token="tok") as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock(HOUR_START + 60)


@pytest.fixture
def worker(cm: Any, clock: Clock) -> SmsWorker:
    limiter = MemoryRateLimits(clock=clock)
    return SmsWorker(
        state=MemorySmsState(),
        cm=CmClient(cm.url, "tok", attempts=1, sleep=lambda s: None, timeout_s=1),
        answer=Answerer(),
        run=asyncio.new_event_loop().run_until_complete,
        hash_key=b"k",
        quota=NumberQuota(limiter, answers_per_hour=lambda landlord: 2),
    )


def _texts_to(cm: Any, recipient: str = "0033612345678") -> list[str]:
    return [sent.content for sent in cm.sent if sent.recipient == recipient]


def test_past_the_hourly_limit_one_notice_then_no_answer(worker, cm, caplog):
    # Given a landlord allowing 2 answers per number and hour
    # when one number sends 5 messages within the hour
    statuses = [
        worker.process(_queued(f"sms-{n}", received_ms=T0 + n * 1000)).status for n in range(5)
    ]

    # then it gets 2 answers, one notice in French, and nothing more (logged)
    assert statuses == ["sent", "sent", "sent", "limited", "limited"]
    assert _texts_to(cm) == ["Le préavis est de trois mois."] * 2 + [LIMIT_NOTICE]
    assert "hourly limit" in caplog.text
    assert len(worker.answer.requests) == 2  # the pipeline ran for the answers only


def test_the_next_hour_is_answered_again(worker, cm, clock):
    for n in range(4):
        worker.process(_queued(f"sms-{n}", received_ms=T0 + n * 1000))

    clock.now += 3600
    later = worker.process(_queued("sms-later", received_ms=T0 + 3_600_000))

    assert later.status == "sent"
    assert _texts_to(cm)[-1] == "Le préavis est de trois mois."


def test_a_redelivered_message_keeps_its_allowance_and_is_not_counted_again(worker, cm):
    for n in range(3):
        worker.process(_queued(f"sms-{n}", received_ms=T0 + n * 1000))

    again = [worker.process(_queued(f"sms-{n}", received_ms=T0 + n * 1000)) for n in range(3)]

    assert [outcome.status for outcome in again] == ["already_sent"] * 3
    assert _texts_to(cm).count(LIMIT_NOTICE) == 1
    assert worker.state.delivery("sms-2").allowance == "notice"


def test_another_number_has_its_own_quota(worker, cm):
    for n in range(4):
        worker.process(_queued(f"sms-{n}", received_ms=T0 + n * 1000))

    other = worker.process(_queued("sms-other").model_copy(update={"sender": "+33698765432"}))

    assert other.status == "sent"
    assert _texts_to(cm, "0033698765432") == ["Le préavis est de trois mois."]


def test_the_limit_is_a_landlord_setting_with_a_default():
    assert SmsConfig().answers_per_hour == 20
    assert SmsConfig(numbers=[LANDLORD_NUMBER], answers_per_hour=5).answers_per_hour == 5
    with pytest.raises(ValueError):
        SmsConfig(answers_per_hour=0)
