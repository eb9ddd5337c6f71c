"""A small OpenAI-compatible server for tests: the real wire format, scripted behaviour.

It answers ``GET /v1/models``, ``POST /v1/chat/completions`` (JSON or ``text/event-stream``
chunks with a final usage chunk) and ``POST /v1/embeddings`` (a vector per input, in reverse
order as the API may send them), records every request, and can fail, stall, break off a
stream with an error event or send a body that is not JSON on demand, or answer as small
models and content filters do: no text (``Reply("")``), blank text
(``Reply("\n\n")``), or a ``content_filter`` finish
(``Reply("Je", finish_reason="content_filter")``)::

    with FakeOpenAI() as fake:
        fake.responder = lambda request: Reply("Bonjour")
        client = OpenAICompatibleClient("gpt-test", "key", base_url=fake.base_url)

A streamed reply can come at a fixed rate (``interval_s`` between deltas) and keep its last
delta until a test releases it (``gate``), so that a test proves what reached the client
before the model finished, by events and never by the clock::

    gate = TokenGate()
    fake.responder = lambda request: Reply("Bonjour à vous", chunk_size=4, gate=gate)
    ...  # read the first words at the client
    assert not gate.last_sent.is_set()
    gate.release.set()
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from pierre_local.fake_http import BackgroundServer, QuietJsonHandler


@dataclass(frozen=True, eq=False)
class TokenGate:
    """Holds a streamed reply's last delta until ``release`` is set; says when the first
    delta went out, when the last one is waiting, and when it went out."""

    release: threading.Event = field(default_factory=threading.Event)
    first_sent: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)
    last_sent: threading.Event = field(default_factory=threading.Event)
    closed: threading.Event = field(default_factory=threading.Event)  # the stream ended, any way
    sent_at: list[float] = field(default_factory=list)  # time.perf_counter() of each delta sent
    timeout_s: float = 60.0  # a test that never releases fails instead of hanging


@dataclass(frozen=True)
class Reply:
    text: str
    prompt_tokens: int = 0  # 0: count words of the prompt
    completion_tokens: int = 0  # 0: count words of the reply
    chunk_size: int = 8  # characters per streamed delta
    finish_reason: str = "stop"  # "content_filter": the provider's filter stopped it
    interval_s: float = 0.0  # pause between streamed deltas (a model's token rate)
    gate: TokenGate | None = None  # hold the last delta until released


@dataclass(frozen=True)
class Fail:
    status: int = 500
    message: str = "scripted failure"


@dataclass(frozen=True)
class Stall:
    seconds: float


@dataclass(frozen=True)
class BreakOff:
    """Streams ``text``, then an error event instead of the end, as a provider failing
    mid-answer does (a JSON request gets the error with status 200)."""

    text: str
    message: str = "the model crashed"


@dataclass(frozen=True)
class Garbage:
    """Status 200 with a body that is no JSON (a proxy's error page)."""

    body: str = "<html>Bad gateway</html>"


Behaviour = Reply | Fail | Stall | BreakOff | Garbage
Responder = Callable[[dict[str, Any]], Behaviour]


@dataclass
class FakeOpenAI(BackgroundServer):
    responder: Responder = field(default=lambda request: Reply("Réponse de test."))
    requests: list[dict[str, Any]] = field(default_factory=list)
    host: str = "127.0.0.1"
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.bound_port}/v1"

    def script(self, *behaviours: Behaviour) -> None:
        """Answer successive requests with these behaviours, then repeat the last one."""
        queue = list(behaviours)

        def next_behaviour(_: dict[str, Any]) -> Behaviour:
            return queue.pop(0) if len(queue) > 1 else queue[0]

        self.responder = next_behaviour

    def start(self) -> FakeOpenAI:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._serve(self.host, 0, handler, "fake-openai")
        return self


class _Handler(QuietJsonHandler):
    """The fake's routes; ``start`` binds a subclass to its :class:`FakeOpenAI`."""

    fake: FakeOpenAI

    def do_GET(self) -> None:
        self.send_json(*_models(self.path))

    def do_POST(self) -> None:
        body = self.read_body()
        if self.path not in ("/v1/chat/completions", "/v1/embeddings"):
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        try:
            request = json.loads(body)
        except json.JSONDecodeError:
            self.send_json(400, {"error": {"message": "invalid JSON"}})
            return
        request["_headers"] = {k.lower(): v for k, v in self.headers.items()}
        request["_path"] = self.path
        self.fake.requests.append(request)
        if self.path == "/v1/embeddings":
            self.send_json(*_embeddings(request))
            return
        behaviour = self.fake.responder(request)
        if isinstance(behaviour, Garbage):
            self._send_raw(behaviour.body.encode(), "text/html")
        elif isinstance(behaviour, BreakOff):
            self._break_off(request, behaviour)
        elif isinstance(behaviour, Stall):
            time.sleep(behaviour.seconds)
            self.send_json(200, _completion(request, Reply("trop tard")))
        elif isinstance(behaviour, Fail):
            self.send_json(
                behaviour.status,
                {"error": {"message": behaviour.message, "type": "server_error"}},
            )
        elif request.get("stream"):
            self._stream(request, behaviour)
        else:
            self.send_json(200, _completion(request, behaviour))

    def _stream(self, request: dict[str, Any], reply: Reply) -> None:
        # each delta leaves at once, as from a provider's streaming server
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            _send_stream(self._chunk, request, reply)

    def _send_raw(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _break_off(self, request: dict[str, Any], behaviour: BreakOff) -> None:
        error = {"error": {"message": behaviour.message, "type": "server_error"}}
        if not request.get("stream"):
            self.send_json(200, error)
            return
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        events = _stream_events(request, Reply(behaviour.text))
        for event in events:
            if _delta_text(event):
                self._chunk(f"data: {json.dumps(event)}\n\n".encode())
        self._chunk(f"data: {json.dumps(error)}\n\n".encode())
        self._chunk(b"")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def _send_stream(chunk: Callable[[bytes], None], request: dict[str, Any], reply: Reply) -> None:
    """The reply as server-sent events, at its pace and through its gate."""
    events = _stream_events(request, reply)
    last_delta = sum(1 for e in events if _delta_text(e)) - 1
    delta = -1
    try:
        for event in events:
            if _delta_text(event):
                delta += 1
                _pace(reply, delta, last_delta)
            chunk(f"data: {json.dumps(event)}\n\n".encode())
            if reply.gate is not None and _delta_text(event):
                reply.gate.sent_at.append(time.perf_counter())
            if reply.gate is not None and delta == 0:
                reply.gate.first_sent.set()
            if reply.gate is not None and delta == last_delta:
                reply.gate.last_sent.set()
        chunk(b"data: [DONE]\n\n")
        chunk(b"")
    finally:
        if reply.gate is not None:
            reply.gate.closed.set()


def _delta_text(event: dict[str, Any]) -> str:
    choices = event.get("choices") or [{}]
    return str(choices[0].get("delta", {}).get("content") or "")


def _pace(reply: Reply, delta: int, last_delta: int) -> None:
    """Before delta number ``delta``: the model's pause, and the gate for the last one."""
    if delta > 0 and reply.interval_s:
        time.sleep(reply.interval_s)
    if delta == last_delta and delta > 0 and reply.gate is not None:
        reply.gate.holding.set()
        if not reply.gate.release.wait(reply.gate.timeout_s):
            raise BrokenPipeError("the test never released the last token")


def _stream_events(request: dict[str, Any], reply: Reply) -> list[dict[str, Any]]:
    """The reply's chunks: its text in pieces, a last chunk with the finish reason, then the
    usage when the request asked for it."""
    base = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": request.get("model", "fake"),
    }
    pieces = [
        reply.text[i : i + reply.chunk_size] for i in range(0, len(reply.text), reply.chunk_size)
    ]
    events: list[dict[str, Any]] = [
        {
            **base,
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "content": p}, "finish_reason": None}
            ],
        }
        for p in pieces
    ]
    events.append(
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]}
    )
    if (request.get("stream_options") or {}).get("include_usage"):
        events.append({**base, "choices": [], "usage": _usage(request, reply)})
    return events


def _embeddings(request: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """A vector per input, unnormalised (its length first), in reverse order with its index."""
    inputs = request.get("input")
    if not isinstance(inputs, list) or not all(isinstance(text, str) for text in inputs):
        return 400, {"error": {"message": "input must be a list of strings"}}
    width = int(request.get("dimensions") or 3)
    data = [
        {
            "object": "embedding",
            "index": i,
            "embedding": [float(len(text)), 1.0] + [0.0] * (width - 2),
        }
        for i, text in enumerate(inputs)
    ]
    usage = {"prompt_tokens": len(inputs), "total_tokens": len(inputs)}
    return 200, {
        "object": "list",
        "data": list(reversed(data)),
        "model": request.get("model"),
        "usage": usage,
    }


def _models(path: str) -> tuple[int, dict[str, Any]]:
    if path != "/v1/models":
        return 404, {"error": {"message": f"no route {path}"}}
    return 200, {"object": "list", "data": [{"id": "fake", "object": "model"}]}


def _usage(request: dict[str, Any], reply: Reply) -> dict[str, int]:
    prompt = reply.prompt_tokens or sum(
        len(str(m.get("content", "")).split()) for m in request.get("messages", [])
    )
    completion = reply.completion_tokens or len(reply.text.split())
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(request: dict[str, Any], reply: Reply) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": _usage(request, reply),
    }


def understanding_then(generation: Behaviour) -> Responder:
    """A responder for the chat pipeline: a valid understanding of the message for the
    JSON-mode call (French, in scope, searched as written), ``generation`` for the answer."""

    def respond(request: dict[str, Any]) -> Behaviour:
        if request.get("response_format") != {"type": "json_object"}:
            return generation
        message = json.loads(request["messages"][-1]["content"])["message"]
        understood = {
            "language": "fr",
            "in_scope": True,
            "abusive": False,
            "standalone_question": message,
            "search_queries": [message],
        }
        return Reply(json.dumps(understood, ensure_ascii=False))

    return respond
