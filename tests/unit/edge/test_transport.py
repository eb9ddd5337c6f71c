"""Plain HTTP to the local machine is the one case without HTTPS-only headers and cookies."""

from __future__ import annotations

import pytest

from pierre_rag.transport import is_local_plain_http


@pytest.mark.parametrize(
    ("headers", "local_plain"),
    [
        ({"host": "localhost:3000"}, True),
        ({"host": "127.0.0.1"}, True),
        ({"host": "[::1]:3000"}, True),
        ({"host": "localhost:3000", "x-forwarded-proto": "https"}, False),
        ({"host": "d111111abcdef8.cloudfront.net", "x-forwarded-proto": "https"}, False),
        ({"host": "assistant.example.org"}, False),
        ({"host": "localhost.example.org"}, False),
        ({}, False),
    ],
)
def test_only_plain_http_to_a_local_host_counts_as_local(headers, local_plain):
    assert is_local_plain_http(headers) is local_plain
