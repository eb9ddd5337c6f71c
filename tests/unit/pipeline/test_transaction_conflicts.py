"""A user turn whose transaction DynamoDB cancels for a conflict on a shared counter (one IP
behind a NAT) is run again, after a jittered wait, instead of answering 500."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from pierre_rag.conversations import ConversationStore, GuardRefusedError, Turn
from pierre_rag.ratelimit import Limit, RateLimiter
from pierre_rag.transactions import ConflictRetry

PER_IP = Limit("ip", max_hits=30, window_s=60)
PER_CONVERSATION = Limit("conversation", max_hits=30, window_s=60)
# guard items (ip, conversation), then the user turn, META and the message's receipt
CONFLICT_ON_IP = ["TransactionConflict", "None", "None", "None", "None"]
IP_LIMIT_REACHED = ["ConditionalCheckFailed", "None", "None", "None", "None"]


class RecordedSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def client() -> Any:
    return boto3.client(
        "dynamodb",
        region_name="eu-west-3",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _cancel(stubber: Stubber, codes: list[str]) -> None:
    stubber.add_client_error(
        "transact_write_items",
        service_error_code="TransactionCanceledException",
        service_message="Transaction cancelled",
        http_status_code=400,
        modeled_fields={"CancellationReasons": [{"Code": code} for code in codes]},
    )


def _record(client: Any, sleep: RecordedSleep, attempts: int = 4) -> None:
    retry = ConflictRetry(attempts=attempts, sleep=sleep, jitter=lambda: 0.5)
    store = ConversationStore(client, "conversations", retry=retry)
    limiter = RateLimiter(client, "limits", clock=lambda: 1_000_000)
    guard = limiter.guard([(PER_IP, "203.0.113.9"), (PER_CONVERSATION, "c1")])
    store.record_user_turn(
        "c1",
        Turn("user", "Bonjour", "m1", 1_000),
        landlord="exemple-hlm.fr",
        context="default",
        channel="web",
        retention_days=30,
        guard=guard,
    )


def test_a_turn_cancelled_by_a_conflict_on_the_ip_counter_is_run_again(client):
    # Given: DynamoDB cancels the first two attempts for a conflict on the per-IP counter
    sleep = RecordedSleep()
    with Stubber(client) as stubber:
        _cancel(stubber, CONFLICT_ON_IP)
        _cancel(stubber, CONFLICT_ON_IP)
        stubber.add_response("transact_write_items", {})

        # When: the turn is recorded
        _record(client, sleep)

        # Then: the third attempt stores it, after two growing, jittered waits
        stubber.assert_no_pending_responses()
    assert sleep.delays == [pytest.approx(0.01), pytest.approx(0.02)]


def test_conflicts_are_retried_a_bounded_number_of_times(client):
    # Given: every attempt conflicts
    sleep = RecordedSleep()
    with Stubber(client) as stubber:
        for _ in range(3):
            _cancel(stubber, CONFLICT_ON_IP)

        # When / Then: after three attempts the cancellation surfaces, as it came
        with pytest.raises(client.exceptions.TransactionCanceledException):
            _record(client, sleep, attempts=3)
        stubber.assert_no_pending_responses()
    assert len(sleep.delays) == 2


def test_a_refusal_by_the_rate_limit_is_not_retried(client):
    # Given: the per-IP counter's condition refuses the write
    sleep = RecordedSleep()
    with Stubber(client) as stubber:
        _cancel(stubber, IP_LIMIT_REACHED)

        # When / Then: the refusal is the guard's, at once, with no wait
        with pytest.raises(GuardRefusedError):
            _record(client, sleep)
    assert sleep.delays == []


def test_the_wait_grows_and_is_capped():
    retry = ConflictRetry(base_delay_s=0.02, max_delay_s=0.1, jitter=lambda: 1.0)

    assert [retry.delay(n) for n in range(5)] == pytest.approx([0.02, 0.04, 0.08, 0.1, 0.1])
