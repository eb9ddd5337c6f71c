"""Given recorded HTTP API v2 events, when the real admin handler runs (Mangum, moto SSM and
DynamoDB), then pages, cookies, CSRF refusals and redirects are what API Gateway returns."""

from __future__ import annotations

import boto3
import pytest

from pierre_rag.auth.bootstrap import bootstrap_secret_name
from tests.helpers import admin_login_event, load_event

LANDLORD = "pierre-habitat.fr"
LANDLORD_BOOTSTRAP = "b" * 20
GLOBAL_BOOTSTRAP = "g" * 20


@pytest.fixture
def bootstrap_secrets(admin_env) -> None:
    ssm = boto3.client("ssm")
    for name, value in (
        (bootstrap_secret_name(LANDLORD), LANDLORD_BOOTSTRAP),
        ("admin-bootstrap-password", GLOBAL_BOOTSTRAP),  # the former global secret
    ):
        ssm.put_parameter(Name=f"/pierre/{name}", Value=value, Type="SecureString")


def _headers(response):
    return {k.lower(): v for k, v in response["headers"].items()}


def test_the_login_page_is_html_with_security_headers_and_a_secure_csrf_cookie(
    bootstrap_secrets, admin
):
    response = admin(load_event("admin_login_page"))

    assert response["statusCode"] == 200
    headers = _headers(response)
    assert headers["content-type"].startswith("text/html")
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert '<form method="post" action="/admin/login">' in response["body"]
    (cookie,) = response["cookies"]
    assert cookie.startswith("pierre_login_csrf=")
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_a_login_post_with_a_forged_csrf_token_is_refused(bootstrap_secrets, admin):
    response = admin(load_event("admin_login_forged_csrf"))

    assert response["statusCode"] == 403
    assert "Jeton de sécurité invalide" in response["body"]
    assert not response.get("cookies")


def test_an_anonymous_page_request_is_sent_to_the_login_form(bootstrap_secrets, admin):
    response = admin(load_event("admin_conversations_anonymous"))

    assert response["statusCode"] == 303
    assert _headers(response)["location"] == "/admin/login"


def test_the_first_administrator_is_bootstrapped_with_the_landlords_own_ssm_secret(
    bootstrap_secrets, admin
):
    refused = admin(admin_login_event(f"admin@{LANDLORD}", GLOBAL_BOOTSTRAP))
    accepted = admin(admin_login_event(f"admin@{LANDLORD}", LANDLORD_BOOTSTRAP))

    assert refused["statusCode"] == 401
    assert accepted["statusCode"] == 303
    assert _headers(accepted)["location"] == "/admin/password"


def test_a_landlord_without_its_bootstrap_parameter_cannot_be_bootstrapped(
    bootstrap_secrets, admin
):
    boto3.client("ssm").delete_parameter(Name=f"/pierre/{bootstrap_secret_name(LANDLORD)}")

    response = admin(admin_login_event(f"admin@{LANDLORD}", LANDLORD_BOOTSTRAP))

    assert response["statusCode"] == 401
