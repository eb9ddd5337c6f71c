"""The streamed turn's log lines carry the request id the Lambda Web Adapter passes, as the
buffered handler's carry the HTTP API event's (issue #18)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import chat_stream
from chat_stream import RequestCorrelation

from tests.unit.sms.support import CapturedLogs


def _app_that_logs(scope: Any, receive: Any, send: Any) -> Any:
    async def run() -> None:
        logging.getLogger("chat_api.routes").info("chat answer sent")

    return run()


def _request(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": "/", "headers": headers}


async def _noop_receive() -> dict[str, Any]:
    return {"type": "http.disconnect"}


async def _noop_send(message: Any) -> None:
    return None


def _lines_of(*requests: dict[str, Any]) -> list[dict[str, Any]]:
    app = RequestCorrelation(_app_that_logs, chat_stream.logger)
    with CapturedLogs(chat_stream.logger, "chat_api") as logs:
        for scope in requests:
            asyncio.run(app(scope, _noop_receive, _noop_send))
    return [json.loads(line) for line in logs.text.splitlines()]


def test_each_request_logs_with_the_request_id_of_its_invocation():
    # Given two invocations forwarded by the adapter, each with its request context
    first = _request([(b"x-amzn-request-context", b'{"requestId": "req-1", "http": {}}')])
    second = _request([(b"x-amzn-request-context", b'{"requestId": "req-2"}')])

    # When the app logs while serving each
    lines = _lines_of(first, second)

    # Then each line carries its own invocation's id
    assert [line.get("correlation_id") for line in lines] == ["req-1", "req-2"]


def test_a_request_without_a_context_leaves_no_id_from_the_one_before():
    # Given a request with a context, then one without (or with an unreadable one)
    with_id = _request([(b"x-amzn-request-context", b'{"requestId": "req-1"}')])
    without = _request([])
    garbled = _request([(b"x-amzn-request-context", b"not json")])

    # When the app logs while serving each
    lines = _lines_of(with_id, without, garbled)

    # Then only the first line has an id
    assert [line.get("correlation_id") for line in lines] == ["req-1", None, None]
