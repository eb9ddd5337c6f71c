"""A fake CM.com send API: the real wire format, recorded messages, scripted failures.

The local stack starts one so ``make dev`` never texts anybody (it prints what it would
send); tests start their own (``tests/fakes/cm_server.py``) and script outages::

    with FakeCm(token="t") as cm:
        cm.script(Fail(503), Accept())          # one outage, then recovery
        ... cm.url ...                          # give it to the worker as CM_API_URL
        cm.sent                                 # accepted requests, in order

``GET /_fake/messages`` returns what was accepted, for the ``simulate_sms`` command.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from pierre_local.fake_http import BackgroundServer, QuietJsonHandler


@dataclass(frozen=True)
class Accept:
    pass


@dataclass(frozen=True)
class Fail:
    """Answer with an HTTP error: 5xx (an outage) or 4xx (CM refusing the request)."""

    status: int = 503
    error_code: int = 999


@dataclass(frozen=True)
class Stall:
    """Answer only after ``seconds`` (longer than the client's timeout: a timeout)."""

    seconds: float


Behaviour = Accept | Fail | Stall


@dataclass
class SentSms:
    """One accepted ``msg`` entry, as CM would deliver it."""

    sender: str
    recipient: str
    content: str
    reference: str
    at: float


@dataclass
class FakeCm(BackgroundServer):
    token: str | None = None  # when set, requests must carry it (header and body)
    host: str = "127.0.0.1"
    port: int = 0
    echo: Callable[[list[SentSms]], None] | None = None  # e.g. print each accepted request
    requests: list[dict[str, Any]] = field(default_factory=list)
    sent: list[SentSms] = field(default_factory=list)
    _behaviours: list[Behaviour] = field(default_factory=lambda: [Accept()])
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.bound_port}/v1.0/message"

    def script(self, *behaviours: Behaviour) -> None:
        """Answer successive requests with these behaviours; the last one then repeats."""
        with self._lock:
            self._behaviours = list(behaviours) or [Accept()]

    def _next(self) -> Behaviour:
        with self._lock:
            return self._behaviours.pop(0) if len(self._behaviours) > 1 else self._behaviours[0]

    def start(self) -> FakeCm:
        fake = self

        class Handler(QuietJsonHandler):
            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/_fake/messages":
                    self.send_json(404, {"details": "not found"})
                    return
                self.send_json(200, {"messages": [vars(m) for m in fake.sent]})

            def do_POST(self) -> None:
                raw = self.read_body()
                if not self.path.endswith("/v1.0/message"):
                    self.send_json(404, {"details": f"no route {self.path}"})
                    return
                try:
                    body = json.loads(raw)
                    messages = body["messages"]
                    token = messages["authentication"]["producttoken"]
                    msgs = messages["msg"]
                    assert isinstance(msgs, list) and msgs
                    for msg in msgs:
                        assert msg["body"]["type"] in ("auto", "AUTO")
                        assert isinstance(msg["body"]["content"], str)
                        assert msg["to"] and all("number" in to for to in msg["to"])
                        assert msg["from"]
                except (json.JSONDecodeError, KeyError, TypeError, AssertionError):
                    self.send_json(400, {"details": "malformed request", "errorCode": 201})
                    return
                header = self.headers.get("X-CM-PRODUCTTOKEN")
                if header != token or (fake.token is not None and token != fake.token):
                    self.send_json(401, {"details": "invalid product token", "errorCode": 101})
                    return
                fake.requests.append(body)
                behaviour = fake._next()
                if isinstance(behaviour, Stall):
                    time.sleep(behaviour.seconds)
                    self.send_json(503, {"details": "too late", "errorCode": 999})
                    return
                if isinstance(behaviour, Fail):
                    self.send_json(
                        behaviour.status,
                        {"details": "scripted failure", "errorCode": behaviour.error_code},
                    )
                    return
                now = time.time()
                accepted = [
                    SentSms(msg["from"], to["number"], msg["body"]["content"],
                            str(msg.get("reference", "")), now)
                    for msg in msgs
                    for to in msg["to"]
                ]  # fmt: skip
                fake.sent.extend(accepted)
                if fake.echo is not None:
                    fake.echo(accepted)
                self.send_json(
                    200,
                    {
                        "details": f"Created {len(accepted)} message(s)",
                        "errorCode": 0,
                        "messages": [
                            {
                                "to": m.recipient,
                                "status": "Accepted",
                                "reference": m.reference,
                                "parts": 1,
                                "messageDetails": None,
                                "messageErrorCode": 0,
                            }
                            for m in accepted
                        ],
                    },
                )

        self._serve(self.host, self.port, Handler, "fake-cm")
        return self


def print_sent(accepted: list[SentSms]) -> None:
    """What ``make dev`` shows for each answer the worker sends."""
    for sms in accepted:
        masked = sms.recipient[:-4] + "••••" if len(sms.recipient) > 4 else sms.recipient
        print(f"[fake CM] SMS {sms.reference} to {masked}:\n  {sms.content}", flush=True)
