"""The local stack's HTTP front puts the socket's peer in ``sourceIp``, as API Gateway does,
whatever forwarding headers the caller sends."""

from __future__ import annotations

import http.client
import threading
from pathlib import Path
from typing import Any

from pierre_local.http_front import LocalGateway, make_server
from pierre_local.template import HttpRoute


class RecordingFunction:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        return {"statusCode": 204}


def test_source_ip_is_the_real_peer_not_a_forwarding_header(tmp_path: Path):
    function = RecordingFunction()
    gateway = LocalGateway(
        [HttpRoute("ANY", "/api/{proxy+}", "Chat")],
        {"Chat": function},  # type: ignore[dict-item]
        tmp_path,
    )
    server = make_server("127.0.0.1", 0, gateway)  # port 0: the kernel picks a free one
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        connection.request(
            "GET",
            "/api/health",
            headers={
                "X-Forwarded-For": "203.0.113.1",
                "CloudFront-Viewer-Address": "203.0.113.2:443",
            },
        )
        assert connection.getresponse().status == 204
        connection.close()
    finally:
        server.shutdown()
        server.server_close()

    (event,) = function.events
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
