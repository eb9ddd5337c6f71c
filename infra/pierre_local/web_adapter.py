"""What the Lambda Web Adapter and a streamed Function URL do for a function, in-process.

On Lambda, CloudFront signs the request for the Function URL (origin access control), the
adapter forwards it to the function's web app over HTTP, and the app's body reaches the
client as it is written (``InvokeMode: RESPONSE_STREAM``). Here the request goes straight to
the function's ASGI app, and every chunk it sends is written to the client's socket at once:
nothing waits for the end of the answer, as it would through the HTTP API's Lambda event.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol
from urllib.parse import unquote

from pierre_local.events import LocalHttpRequest
from pierre_local.template import FunctionSpec

Asgi = Callable[..., Any]
SIGNED_METHODS = ("POST", "PUT")  # CloudFront's OAC passes their body hash to Lambda


class ResponseSink(Protocol):
    """Where a streamed response goes (the local HTTP front's socket)."""

    def start(self, status: int, headers: list[tuple[str, str]]) -> None: ...

    def write(self, chunk: bytes) -> None: ...

    def end(self) -> None: ...


def body_hash_matches(request: LocalHttpRequest) -> bool:
    """Whether a POST or PUT carries ``x-amz-content-sha256``, the SHA-256 of its body: a
    Function URL behind CloudFront's origin access control refuses it otherwise (Lambda does
    not accept unsigned payloads), so the local stack refuses it too."""
    if request.method.upper() not in SIGNED_METHODS:
        return True
    sent = next(
        (v for k, v in request.headers if k.lower() == "x-amz-content-sha256"),
        "",
    )
    return sent.strip().lower() == hashlib.sha256(request.body).hexdigest()


def asgi_scope(request: LocalHttpRequest, host: str) -> dict[str, Any]:
    """The HTTP scope uvicorn gives the app for this request (the peer: the caller)."""
    server_host, _, port = host.partition(":")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method.upper(),
        "scheme": "http",
        "path": unquote(request.path),
        "raw_path": request.path.encode(),
        "query_string": request.query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers],
        "client": (request.source_ip, 0),
        "server": (server_host, int(port or 80)),
    }


def _new_event_loop() -> None:
    asyncio.set_event_loop(asyncio.new_event_loop())


class LocalWebAdapter:
    """One web-adapter function: its app imported on first request (the cold start), one
    request at a time, as one Lambda execution environment serves them."""

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self._app: Asgi | None = None
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=spec.logical_id, initializer=_new_event_loop
        )

    def _load(self) -> Asgi:
        if self._app is None:
            code_dir = str(self.spec.code_dir.resolve())
            if code_dir not in sys.path:
                sys.path.insert(0, code_dir)
            module = importlib.import_module(self.spec.module)
            self._app = getattr(module, self.spec.attribute)
        return self._app

    def serve(self, request: LocalHttpRequest, host: str, sink: ResponseSink) -> None:
        """Serve the request; exceptions propagate like a function error."""
        self._executor.submit(self._run, request, host, sink).result()

    def _run(self, request: LocalHttpRequest, host: str, sink: ResponseSink) -> None:
        app = self._load()
        loop = asyncio.get_event_loop()
        loop.run_until_complete(_call(app, asgi_scope(request, host), request.body, sink))

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


async def _call(app: Asgi, scope: dict[str, Any], body: bytes, sink: ResponseSink) -> None:
    gone = asyncio.Event()  # the client went away: the app may stop producing
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if gone.is_set():
            return
        try:
            if message["type"] == "http.response.start":
                headers = [
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]
                ]
                sink.start(int(message["status"]), headers)
            elif message["type"] == "http.response.body":
                if message.get("body"):
                    sink.write(message["body"])
                if not message.get("more_body", False):
                    sink.end()
        except OSError:
            gone.set()

    await app(scope, receive, send)
