"""The local stack's HTTP front keeps a burst of connections waiting instead of resetting it."""

from __future__ import annotations

import socket
from typing import Any, cast

from pierre_local.http_front import make_server

BURST = 64


def test_a_burst_of_connections_waits_in_the_backlog_while_the_server_is_busy() -> None:
    # Given: the HTTP front bound but busy (not accepting: every handler thread occupied)
    server = make_server("127.0.0.1", 0, cast(Any, None))
    address = server.server_address[:2]
    refused = 0
    clients: list[socket.socket] = []
    try:
        # When: a burst of clients connects (a load test, a CM retry burst)
        for _ in range(BURST):
            client = socket.socket()
            client.settimeout(0.5)
            clients.append(client)
            try:
                client.connect(address)
            except OSError:
                refused += 1
    finally:
        for client in clients:
            client.close()
        server.server_close()

    # Then: every connection is queued (socketserver's default backlog of 5 dropped the rest)
    assert refused == 0
