"""The one client-IP rule: platform source IP, CloudFront's viewer only with the origin secret."""

from __future__ import annotations

import boto3
import pytest

from pierre_rag.client_ip import (
    ORIGIN_SECRET_HEADER,
    VIEWER_ADDRESS_HEADER,
    ClientIpRule,
    load_client_ip_rule,
    viewer_ip,
)
from pierre_rag.settings import read_secret

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
    read_secret.cache_clear()
    try:
        assert load_client_ip_rule(read_secret) == ClientIpRule()
        boto3.client("ssm").put_parameter(Name="/pierre/origin-secret", Value=SECRET, Type="String")
        read_secret.cache_clear()
        assert load_client_ip_rule(read_secret) == ClientIpRule(SECRET)
    finally:
        read_secret.cache_clear()
