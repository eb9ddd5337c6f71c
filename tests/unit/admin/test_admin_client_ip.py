"""Login lock-out per client IP: the IP comes from the platform, never from a header the caller
chose (issue #13, item 3)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from admin_app.app import create_app
from starlette.testclient import TestClient

from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.lockout import LockoutPolicy
from pierre_rag.client_ip import ORIGIN_SECRET_HEADER, VIEWER_ADDRESS_HEADER, ClientIpRule
from tests.unit.admin.harness import PASSWORD, Admin

ORIGIN_SECRET = "admin-origin-secret-0123456789"
IP_THRESHOLD = 3  # lowered from 20: each failed login costs an argon2 verify


@pytest.fixture(autouse=True)
def low_ip_threshold(admin: Admin) -> None:
    admin.services.throttle.policy = LockoutPolicy(ip_threshold=IP_THRESHOLD)


def _login(admin: Admin, email: str, password: str, headers: dict[str, str]) -> Any:
    csrf = admin.login_csrf()
    return admin.client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf": csrf},
        headers=headers,
        follow_redirects=False,
    )


def _behind_cloudfront(admin: Admin) -> Admin:
    """The same stores, with the deployed origin secret configured."""
    services = dataclasses.replace(admin.services, client_ip=ClientIpRule(ORIGIN_SECRET))
    client = TestClient(create_app(lambda: services), base_url="https://admin.example.org")
    return Admin(client, services, admin.clock)


def test_rotating_the_first_forwarded_for_entry_does_not_escape_the_ip_lockout(admin):
    admin.add_user("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR)
    for index in range(IP_THRESHOLD):
        forged = {"x-forwarded-for": f"192.0.2.{index}, 198.51.100.7"}
        assert _login(admin, f"guess{index}@pierre-habitat.fr", "wrong", forged).status_code == 401

    again = _login(admin, "marie@pierre-habitat.fr", PASSWORD, {"x-forwarded-for": "192.0.2.99"})

    assert again.status_code == 429


def test_a_viewer_header_without_the_origin_secret_does_not_escape_the_ip_lockout(admin):
    admin.add_user("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR)
    admin = _behind_cloudfront(admin)
    for index in range(IP_THRESHOLD):
        forged = {VIEWER_ADDRESS_HEADER: f"203.0.113.{index}:443"}
        _login(admin, f"guess{index}@pierre-habitat.fr", "wrong", forged)

    again = _login(admin, "marie@pierre-habitat.fr", PASSWORD, {VIEWER_ADDRESS_HEADER: "1.2.3.4:5"})

    assert again.status_code == 429


def test_through_cloudfront_one_viewer_is_locked_out_and_another_is_not(admin):
    admin.add_user("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR)
    admin = _behind_cloudfront(admin)

    def viewer(address: str) -> dict[str, str]:
        return {ORIGIN_SECRET_HEADER: ORIGIN_SECRET, VIEWER_ADDRESS_HEADER: f"{address}:443"}

    for index in range(IP_THRESHOLD):
        _login(admin, f"guess{index}@pierre-habitat.fr", "wrong", viewer("203.0.113.5"))

    locked = _login(admin, "marie@pierre-habitat.fr", PASSWORD, viewer("203.0.113.5"))
    other = _login(admin, "marie@pierre-habitat.fr", PASSWORD, viewer("198.51.100.20"))

    assert locked.status_code == 429
    assert other.status_code == 303
