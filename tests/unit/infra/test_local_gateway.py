"""Routing and event translation of the local stack's HTTP front."""

from __future__ import annotations

import base64
import json

import pytest

from pierre_local.events import LocalHttpRequest, http_api_v2_event, read_http_response
from pierre_local.http_front import LocalGateway
from pierre_local.template import HttpRoute

ROUTES = sorted(
    [
        HttpRoute("ANY", "/api/{proxy+}", "Chat"),
        HttpRoute("POST", "/sms/{secret}", "Webhook"),
        HttpRoute("GET", "/sms/health", "Webhook"),
        HttpRoute("ANY", "/admin", "Admin"),
    ],
    key=lambda route: route.specificity,
)


def _route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    for route in ROUTES:
        parameters = route.match(method, path)
        if parameters is not None:
            return route.path, parameters
    return None


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        (
            "GET",
            "/api/conversations/abc/messages",
            ("/api/{proxy+}", {"proxy": "conversations/abc/messages"}),
        ),
        ("GET", "/sms/health", ("/sms/health", {})),
        ("POST", "/sms/s3cret", ("/sms/{secret}", {"secret": "s3cret"})),
        ("GET", "/sms/s3cret", None),
        ("POST", "/sms/a/b", None),
        ("DELETE", "/admin", ("/admin", {})),
        ("GET", "/administrator", None),
        ("GET", "/api", None),
    ],
)
def test_routes_follow_http_api_selection(method, path, expected):
    assert _route(method, path) == expected


def test_event_is_an_http_api_v2_payload_with_cookies_and_query():
    request = LocalHttpRequest(
        method="POST",
        path="/api/x",
        query="a=1&a=2&b=",
        headers=[
            ("Content-Type", "application/json"),
            ("Cookie", "s=1; t=2"),
            ("X-A", "1"),
            ("x-a", "2"),
        ],
        body=b'{"k": "v"}',
    )

    event = http_api_v2_event(request, ROUTES[-1], {"proxy": "x"}, "localhost:3000")

    assert event["version"] == "2.0"
    assert event["routeKey"] == "ANY /api/{proxy+}"
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["headers"]["x-a"] == "1,2"
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["requestContext"]["http"]["method"] == "POST"
    assert json.loads(event["body"]) == {"k": "v"}
    assert event["isBase64Encoded"] is False


def test_binary_bodies_are_base64_encoded():
    request = LocalHttpRequest(
        "POST", "/api/upload", "", [("content-type", "application/octet-stream")], b"\x00\xff"
    )

    event = http_api_v2_event(request, ROUTES[-1], {}, "h")

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xff"


def test_lambda_response_with_cookies_and_base64_body_is_decoded():
    response = read_http_response(
        {
            "statusCode": 201,
            "headers": {"content-type": "image/png"},
            "cookies": ["session=abc; HttpOnly"],
            "body": base64.b64encode(b"\x89PNG").decode(),
            "isBase64Encoded": True,
        }
    )

    assert response.status == 201
    assert ("set-cookie", "session=abc; HttpOnly") in response.headers
    assert response.body == b"\x89PNG"


def test_static_files_cannot_escape_the_web_folder(tmp_path):
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<h1>ok</h1>")
    (tmp_path / "secret.txt").write_text("no")
    gateway = LocalGateway([], {}, web)

    def get(path: str) -> int:
        return gateway.handle(LocalHttpRequest("GET", path, "", [], b""), "h").status

    assert get("/") == 200
    assert get("/../secret.txt") == 404
    assert get("/%2e%2e/secret.txt") == 404
    assert get("/missing.js") == 404
    assert gateway.handle(LocalHttpRequest("POST", "/", "", [], b""), "h").status == 404
