"""Given recorded HTTP API v2 login events (the real admin handler, Mangum, moto), when a caller
rotates the forwarding headers, then the per-IP lock-out still counts it by API Gateway's
sourceIp; behind CloudFront, proven by the origin secret, each viewer is counted apart."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

import admin_wiring
from pierre_rag.auth.lockout import LockoutPolicy
from pierre_rag.client_ip import ORIGIN_SECRET_HEADER, VIEWER_ADDRESS_HEADER
from tests.helpers import FROZEN_FUTURE_S, load_event

ORIGIN_SECRET = "admin-functional-origin-secret-0123"
IP_THRESHOLD = 3  # lowered from 20: each failed login costs an argon2 verify
EDGE = "130.176.1.10"


@pytest.fixture
def admin(admin: Any) -> Any:
    """The conftest's admin with a landlord to sign in to, the origin secret, a fixed clock
    and a low per-IP threshold."""
    ssm = boto3.client("ssm")
    ssm.put_parameter(
        Name="/pierre/admin-bootstrap/exemple-hlm.fr", Value="b" * 20, Type="SecureString"
    )
    ssm.put_parameter(Name="/pierre/origin-secret", Value=ORIGIN_SECRET, Type="String")
    throttle = admin_wiring.services().throttle
    throttle.clock = lambda: float(FROZEN_FUTURE_S)
    throttle.policy = LockoutPolicy(ip_threshold=IP_THRESHOLD)
    return admin


def _login(email: str, source_ip: str, headers: dict[str, str]) -> dict[str, Any]:
    """A login post with a valid double-submit CSRF token and a wrong password."""
    event = load_event("admin_login_forged_csrf")
    event["body"] = urlencode({"email": email, "password": "wrong", "csrf": "token"})
    event["cookies"] = ["pierre_login_csrf=token"]
    event["requestContext"]["http"]["sourceIp"] = source_ip
    event["headers"].update(headers)
    return event


def _fail_from_many_addresses(admin, source_ip: str, extra: dict[str, str]) -> None:
    for index in range(IP_THRESHOLD):
        headers = {
            **extra,
            "x-forwarded-for": f"192.0.2.{index}, {source_ip}",
            VIEWER_ADDRESS_HEADER: f"203.0.113.{index}:443",
        }
        assert (
            admin(_login(f"guess{index}@pierre-habitat.fr", source_ip, headers))["statusCode"]
            == 401
        )


def test_direct_calls_rotating_forwarding_headers_are_locked_out_by_source_ip(admin):
    _fail_from_many_addresses(admin, "198.51.100.7", {})

    again = admin(_login("marie@pierre-habitat.fr", "198.51.100.7", {"x-forwarded-for": "1.2.3.4"}))

    assert again["statusCode"] == 429


def test_through_cloudfront_viewers_are_counted_apart(admin):
    secret = {ORIGIN_SECRET_HEADER: ORIGIN_SECRET}
    _fail_from_many_addresses(admin, EDGE, secret)  # several viewers, one failure each

    other = admin(
        _login("marie@pierre-habitat.fr", EDGE, {**secret, VIEWER_ADDRESS_HEADER: "192.0.2.77:1"})
    )

    assert other["statusCode"] == 401  # refused for its password, not locked out with the edge
