"""The streamed chat turn in template.yaml and how the local stack reads it (issue #18)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from pierre_local.events import LocalHttpRequest
from pierre_local.template import StreamedPath, load_template, read_stack
from pierre_local.web_adapter import body_hash_matches
from pierre_rag.client_ip import ORIGIN_SECRET_HEADER
from tests.helpers import REPO_ROOT

TEMPLATE = load_template(REPO_ROOT / "template.yaml")
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
DISTRIBUTION = RESOURCES["Distribution"]["Properties"]["DistributionConfig"]
STREAM = RESOURCES["ChatStreamFunction"]["Properties"]


def test_the_chat_turn_is_the_one_path_cloudfront_streams_and_it_comes_before_the_api():
    # Given the distribution's behaviours, in CloudFront's order
    patterns = [b["PathPattern"] for b in DISTRIBUTION["CacheBehaviors"]]

    # When the local stack reads which of them a streamed Function URL serves
    streamed = read_stack(REPO_ROOT / "template.yaml").streamed_paths

    # Then it is the chat turn only, served by the adapter function, matched before /api/*
    assert streamed == [StreamedPath("/api/conversations/*/messages", "ChatStreamFunction")]
    assert patterns.index("/api/conversations/*/messages") < patterns.index("/api/*")


def test_the_function_url_streams_and_only_cloudfront_may_call_it():
    (origin,) = [o for o in DISTRIBUTION["Origins"] if o["Id"] == "chat-stream"]

    assert STREAM["FunctionUrlConfig"] == {"AuthType": "AWS_IAM", "InvokeMode": "RESPONSE_STREAM"}
    assert STREAM["Environment"]["Variables"]["AWS_LWA_INVOKE_MODE"] == "response_stream"
    assert origin["OriginAccessControlId"] == {
        "Fn::GetAtt": ["ChatStreamOriginAccessControl", "Id"]
    }
    # the origin secret too: the chat believes CloudFront's viewer address only with it
    assert [h["HeaderName"].lower() for h in origin["OriginCustomHeaders"]] == [
        ORIGIN_SECRET_HEADER
    ]


def test_the_streamed_function_keeps_snapstart_like_the_chat_function():
    assert STREAM["SnapStart"] == RESOURCES["ChatFunction"]["Properties"]["SnapStart"]
    assert STREAM["AutoPublishAlias"] == "live"


@pytest.mark.parametrize(
    ("path", "streamed"),
    [
        ("/api/conversations/0b7f/messages", True),
        ("/api/conversations/0b7f", False),
        ("/api/conversations/0b7f/feedback", False),
        ("/api/health", False),
    ],
)
def test_cloudfront_path_patterns_match_as_cloudfront_does(path, streamed):
    assert StreamedPath("/api/conversations/*/messages", "F").matches(path) is streamed


def _post(body: bytes, headers: list[tuple[str, str]]) -> LocalHttpRequest:
    return LocalHttpRequest("POST", "/api/conversations/x/messages", "", headers, body)


def test_a_post_passes_only_with_the_sha256_of_its_body():
    body = b'{"text": "Bonjour"}'
    digest = hashlib.sha256(body).hexdigest()

    assert body_hash_matches(_post(body, [("X-Amz-Content-Sha256", digest)]))
    assert not body_hash_matches(_post(body, []))
    assert not body_hash_matches(_post(body + b" ", [("x-amz-content-sha256", digest)]))
    assert body_hash_matches(LocalHttpRequest("GET", "/", "", [], b""))
