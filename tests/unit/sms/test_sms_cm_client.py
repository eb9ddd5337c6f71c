"""The CM client against the fake CM server: wire format, retries on 5xx/timeouts, not on 4xx."""

from __future__ import annotations

import pytest

from pierre_rag.sms.cm_client import CmClient, CmRejectedError, CmUnavailableError
from tests.fakes.cm_server import Accept, Fail, FakeCm, Stall


@pytest.fixture
def cm():
    with FakeCm(token="tok") as server:
        yield server


def _client(cm: FakeCm, **kwargs) -> CmClient:
    sleeps: list[float] = []
    client = CmClient(cm.url, "tok", timeout_s=0.5, sleep=sleeps.append, **kwargs)
    client.sleeps = sleeps  # type: ignore[attr-defined]
    return client


def test_sends_each_part_as_one_message_in_the_documented_format(cm):
    result = _client(cm).send(
        sender="+33199000001",
        recipient="+33612345678",
        parts=["(1/2) a", "(2/2) b"],
        reference="pabc",
    )

    request = cm.requests[0]["messages"]
    assert request["authentication"] == {"producttoken": "tok"}
    assert [m["body"] for m in request["msg"]] == [
        {"type": "auto", "content": "(1/2) a"},
        {"type": "auto", "content": "(2/2) b"},
    ]
    assert request["msg"][0]["to"] == [{"number": "0033612345678"}]
    assert request["msg"][0]["from"] == "0033199000001"
    assert [m["reference"] for m in request["msg"]] == ["pabc-1", "pabc-2"]
    assert request["msg"][0]["maximumNumberOfMessageParts"] == 1
    assert result.attempts == 1 and result.parts_billed == 2


def test_a_wrong_token_is_refused_and_not_retried(cm):
    client = CmClient(cm.url, "wrong", sleep=lambda s: None)

    with pytest.raises(CmRejectedError, match="HTTP 401"):
        client.send(sender="+33199000001", recipient="+33612345678", parts=["x"], reference="p")

    assert len(cm.requests) == 0  # refused before being recorded


def test_5xx_is_retried_with_backoff_then_succeeds(cm):
    cm.script(Fail(503), Fail(502), Accept())
    client = _client(cm, attempts=3, backoff_s=0.5)

    result = client.send(
        sender="+33199000001", recipient="+33612345678", parts=["x"], reference="p"
    )

    assert result.attempts == 3
    assert client.sleeps == [0.5, 1.0]  # type: ignore[attr-defined]
    assert len(cm.sent) == 1


def test_a_timeout_is_retried(cm):
    cm.script(Stall(1.0), Accept())

    result = _client(cm, attempts=2).send(
        sender="+33199000001", recipient="+33612345678", parts=["x"], reference="p"
    )

    assert result.attempts == 2


def test_a_lasting_outage_raises_unavailable_after_the_last_attempt(cm):
    cm.script(Fail(500))

    with pytest.raises(CmUnavailableError, match="HTTP 500"):
        _client(cm, attempts=3).send(
            sender="+33199000001", recipient="+33612345678", parts=["x"], reference="p"
        )

    assert len(cm.requests) == 3


def test_4xx_is_permanent_and_never_retried(cm):
    cm.script(Fail(400, error_code=201), Accept())

    with pytest.raises(CmRejectedError, match="errorCode 201"):
        _client(cm, attempts=3).send(
            sender="+33199000001", recipient="+33612345678", parts=["x"], reference="p"
        )

    assert len(cm.requests) == 1


def test_an_unreachable_cm_is_unavailable():
    client = CmClient("http://127.0.0.1:9/v1.0/message", "tok", attempts=2, sleep=lambda s: None)

    with pytest.raises(CmUnavailableError):
        client.send(sender="+33199000001", recipient="+33612345678", parts=["x"], reference="p")
