"""The one client-IP rule: platform source IP, CloudFront's viewer only with the origin secret."""

from __future__ import annotations

import re

import boto3
import pytest

from pierre_rag.client_ip import (
    ORIGIN_SECRET_HEADER,
    VIEWER_ADDRESS_HEADER,
    ClientIpRule,
    counting_key,
    load_client_ip_rule,
    viewer_ip,
)
from pierre_rag.settings import SecretReader
from tests.helpers import REPO_ROOT

SECRET = "origin-secret-for-tests-0123456789"
EDGE = "130.176.1.10"  # a CloudFront edge, as API Gateway sees it


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("198.51.100.10:46532", "198.51.100.10"),
        ("2001:db8::1:46532", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("not an address:1", None),
        ("", None),
    ],
)
def test_the_viewer_address_header_is_read_as_ip_and_port(value, expected):
    assert viewer_ip(value) == expected


def test_a_direct_call_is_counted_by_its_source_ip_whatever_headers_it_sends():
    rule = ClientIpRule(SECRET)
    headers = {
        VIEWER_ADDRESS_HEADER: "203.0.113.99:1234",
        "x-forwarded-for": "203.0.113.98, 198.51.100.7",
    }

    assert rule.client_ip("198.51.100.7", headers) == "198.51.100.7"


def test_through_cloudfront_the_viewer_address_is_believed():
    rule = ClientIpRule(SECRET)
    headers = {VIEWER_ADDRESS_HEADER: "203.0.113.99:1234", ORIGIN_SECRET_HEADER: SECRET}

    assert rule.client_ip(EDGE, headers) == "203.0.113.99"


@pytest.mark.parametrize("sent", ["", "wrong", SECRET[:-1], SECRET + "x", "é" * 40])
def test_a_wrong_origin_secret_does_not_unlock_the_viewer_header(sent):
    rule = ClientIpRule(SECRET)
    headers = {VIEWER_ADDRESS_HEADER: "203.0.113.99:1234", ORIGIN_SECRET_HEADER: sent}

    assert rule.client_ip(EDGE, headers) == EDGE


def test_without_a_configured_secret_no_header_is_believed():
    headers = {VIEWER_ADDRESS_HEADER: "203.0.113.99:1234", ORIGIN_SECRET_HEADER: ""}

    assert ClientIpRule().client_ip(EDGE, headers) == EDGE
    assert ClientIpRule().client_ip(None, {}) == "unknown"


def test_a_garbled_viewer_header_falls_back_to_the_source_ip():
    rule = ClientIpRule(SECRET)
    headers = {VIEWER_ADDRESS_HEADER: "nonsense", ORIGIN_SECRET_HEADER: SECRET}

    assert rule.client_ip(EDGE, headers) == EDGE


def test_a_short_origin_secret_is_refused_at_configuration_load():
    with pytest.raises(ValueError, match="at least 16"):
        ClientIpRule("short")


def test_the_rule_reads_the_origin_secret_from_ssm_and_tolerates_its_absence(aws):
    assert load_client_ip_rule(SecretReader()) == ClientIpRule()
    boto3.client("ssm").put_parameter(Name="/pierre/origin-secret", Value=SECRET, Type="String")
    assert load_client_ip_rule(SecretReader()) == ClientIpRule(SECRET)


@pytest.mark.parametrize(
    ("ip", "key"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("testclient", "testclient"),
    ],
)
def test_ipv6_callers_are_counted_by_their_64_network(ip, key):
    assert counting_key(ip) == key


def test_rotating_ipv6_addresses_within_one_64_gives_no_fresh_counter():
    rule = ClientIpRule(SECRET)
    keys = {
        rule.client_ip(EDGE, {ORIGIN_SECRET_HEADER: SECRET, VIEWER_ADDRESS_HEADER: f"{ip}:443"})
        for ip in ("2001:db8:1:2::1", "2001:db8:1:2::abcd", "2001:db8:1:2:1:2:3:4")
    }
    direct = {rule.client_ip(ip, {}) for ip in ("2001:db8:9:9::1", "2001:db8:9:9::2")}

    assert keys == {"2001:db8:1:2::/64"}
    assert direct == {"2001:db8:9:9::/64"}


def test_a_request_is_counted_by_its_asgi_peer_through_the_rule():
    # given a request as Starlette builds it under Mangum, with a header the caller chose
    from starlette.requests import Request

    scope = {
        "type": "http",
        "client": ("198.51.100.7", 443),
        "headers": [(b"x-forwarded-for", b"203.0.113.98")],
    }
    # when the rule reads it
    ip = ClientIpRule(SECRET).of_request(Request(scope))
    # then the peer counts, not the header; a scope without a peer counts as unknown
    assert ip == "198.51.100.7"
    assert ClientIpRule().of_request(Request({"type": "http", "headers": []})) == "unknown"


IP_SOURCES = re.compile(
    r"x-forwarded-for|x-real-ip|cloudfront-viewer-address|sourceIp|\.client\.host|\bpeer\.host",
    re.IGNORECASE,
)


def test_no_module_but_the_rule_derives_a_client_ip():
    # given every module of the functions and of the layer
    modules = [*(REPO_ROOT / "functions").rglob("*.py"), *(REPO_ROOT / "layers").rglob("*.py")]
    # when they are searched for what a client IP is made from (headers, event, ASGI peer)
    readers = {
        path.relative_to(REPO_ROOT).as_posix()
        for path in modules
        if IP_SOURCES.search(path.read_text(encoding="utf-8"))
    }
    # then only pierre_rag/client_ip.py reads them: rate limits and lock-outs share one rule
    assert readers == {"layers/pierre_rag/pierre_rag/client_ip.py"}
