"""The HTTP front of the local stack: CloudFront's streamed paths → the web app as the Lambda
Web Adapter serves it, chunk by chunk; HTTP API routes → Lambda events; anything else → web/."""

from __future__ import annotations

import json
import logging
import mimetypes
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pierre_local.events import (
    HttpResponse,
    LocalHttpRequest,
    http_api_v2_event,
    read_http_response,
)
from pierre_local.lambda_runtime import LocalFunction
from pierre_local.template import HttpRoute, StreamedPath
from pierre_local.web_adapter import LocalWebAdapter, ResponseSink, body_hash_matches

logger = logging.getLogger("pierre_local.http")

MAX_BODY_BYTES = 10 * 1024 * 1024  # HTTP API payload limit


class LocalGateway:
    """Routing and dispatch, kept apart from the socket server so it can be tested directly."""

    def __init__(
        self,
        routes: list[HttpRoute],
        functions: dict[str, LocalFunction],
        static_dir: Path,
        streamed_paths: list[StreamedPath] | None = None,
        adapters: dict[str, LocalWebAdapter] | None = None,
    ) -> None:
        self.routes = routes
        self.functions = functions
        self.static_dir = static_dir.resolve()
        self.streamed_paths = streamed_paths or []
        self.adapters = adapters or {}

    def streamed(self, path: str) -> LocalWebAdapter | None:
        """The web-adapter function CloudFront sends this path to, if any."""
        for streamed in self.streamed_paths:
            if streamed.matches(path):
                return self.adapters[streamed.function]
        return None

    def stream(
        self, adapter: LocalWebAdapter, request: LocalHttpRequest, host: str, sink: ResponseSink
    ) -> None:
        """Serve a streamed path: refused as the Function URL refuses an unsigned body, else
        the app's response written to ``sink`` as it comes."""
        if not body_hash_matches(request):
            _write_whole(sink, _json_error(403, "Forbidden"))
            return
        try:
            adapter.serve(request, host, sink)
        except Exception:
            logger.exception(
                "%s failed on %s %s", adapter.spec.logical_id, request.method, request.path
            )
            _write_whole(sink, _json_error(502, "Internal Server Error"))

    def handle(self, request: LocalHttpRequest, host: str) -> HttpResponse:
        for route in self.routes:
            parameters = route.match(request.method, request.path)
            if parameters is not None:
                return self._invoke(route, parameters, request, host)
        if request.method in ("GET", "HEAD"):
            return self._static(request.path)
        return _json_error(404, "Not Found")

    def _invoke(
        self, route: HttpRoute, parameters: dict[str, str], request: LocalHttpRequest, host: str
    ) -> HttpResponse:
        event = http_api_v2_event(request, route, parameters, host)
        try:
            result = self.functions[route.function].invoke(event)
        except Exception:
            # API Gateway answers 500 "Internal Server Error" when the function errors.
            logger.exception("%s failed on %s", route.function, route.route_key)
            return _json_error(500, "Internal Server Error")
        return read_http_response(result)

    def _static(self, path: str) -> HttpResponse:
        relative = unquote(path).lstrip("/") or "index.html"
        target = (self.static_dir / relative).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(self.static_dir) or not target.is_file():
            return _json_error(404, "Not Found")
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        return HttpResponse(
            200,
            [("content-type", content_type), ("cache-control", "no-cache")],
            target.read_bytes(),
        )


def _json_error(status: int, message: str) -> HttpResponse:
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, [("content-type", "application/json")], body)


def _write_whole(sink: ResponseSink, response: HttpResponse) -> None:
    sink.start(response.status, response.headers)
    sink.write(response.body)
    sink.end()


def make_server(host: str, port: int, gateway: LocalGateway) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        server_version = "pierre-local"
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY_BYTES:
                self._send(_json_error(413, "Request Entity Too Large"))
                return
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            request = LocalHttpRequest(
                method=self.command,
                path=url.path,
                query=url.query,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
            )
            authority = self.headers.get("host", f"{host}:{port}")
            adapter = gateway.streamed(request.path)
            if adapter is not None:
                gateway.stream(adapter, request, authority, _ChunkedSink(self))
                return
            self._send(gateway.handle(request, authority))

        def _send(self, response: HttpResponse) -> None:
            self.send_response(response.status)
            names = set()
            for name, value in response.headers:
                if name.lower() in ("content-length", "connection", "transfer-encoding"):
                    continue
                names.add(name.lower())
                self.send_header(name, value)
            self.send_header("content-length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:
            logger.info("%s %s", self.address_string(), format % args)

    return _Server((host, port), Handler)


class _ChunkedSink:
    """A response written to the client as it is produced (chunked transfer encoding), each
    chunk flushed: what a browser sees of a Function URL in RESPONSE_STREAM mode."""

    def __init__(self, handler: BaseHTTPRequestHandler) -> None:
        self.handler = handler
        self.started = False

    def start(self, status: int, headers: list[tuple[str, str]]) -> None:
        # Each chunk leaves at once, as from uvicorn (asyncio sets TCP_NODELAY): without it
        # Nagle's algorithm holds the first small chunk until the headers are acknowledged,
        # and the client's delayed ACK made that ~40 ms.
        self.handler.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.handler.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.handler.send_header(name, value)
        self.handler.send_header("transfer-encoding", "chunked")
        self.handler.end_headers()
        self.started = True

    def write(self, chunk: bytes) -> None:
        if chunk:
            self.handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.handler.wfile.flush()

    def end(self) -> None:
        self.handler.wfile.write(b"0\r\n\r\n")
        self.handler.wfile.flush()


class _Server(ThreadingHTTPServer):
    # socketserver's backlog of 5 refused connections under a burst (a load test's 32 at
    # once: "connection reset" before any handler ran); a browser or CM burst is alike.
    request_queue_size = 128
