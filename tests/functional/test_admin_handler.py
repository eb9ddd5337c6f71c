"""Given recorded HTTP API v2 events, when the real admin handler runs (Mangum, moto SSM and
DynamoDB), then pages, cookies, CSRF refusals and redirects are what API Gateway returns."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import boto3
import pytest
from admin_app.services import default_services

import admin_handler
from pierre_local.resources import LocalResources
from pierre_rag.auth.bootstrap import bootstrap_secret_name
from pierre_rag.settings import read_secret
from tests.helpers import load_event

LANDLORD = "pierre-habitat.fr"
LANDLORD_BOOTSTRAP = "b" * 20
GLOBAL_BOOTSTRAP = "g" * 20


@pytest.fixture
def admin_env(dynamodb, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    ssm = boto3.client("ssm")
    for name, value in (
        ("session-secret", "x" * 40),
        (bootstrap_secret_name(LANDLORD), LANDLORD_BOOTSTRAP),
        ("admin-bootstrap-password", GLOBAL_BOOTSTRAP),  # the former global secret
    ):
        ssm.put_parameter(Name=f"/pierre/{name}", Value=value, Type="SecureString")
    for var, logical in (
        ("USERS_TABLE", "UsersTable"),
        ("RATE_LIMITS_TABLE", "RateLimitsTable"),
        ("CONVERSATIONS_TABLE", "ConversationsTable"),
    ):
        monkeypatch.setenv(var, LocalResources.physical_name(logical))
    default_services.cache_clear()
    read_secret.cache_clear()
    yield
    default_services.cache_clear()
    read_secret.cache_clear()


def _invoke(event, context):
    """Like a Lambda container: a thread with its own event loop (the browser tests' Playwright
    keeps one running on the main thread when the whole suite runs)."""

    def run():
        asyncio.set_event_loop(asyncio.new_event_loop())
        return admin_handler.handler(event, context)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _headers(response):
    return {k.lower(): v for k, v in response["headers"].items()}


def test_the_login_page_is_html_with_security_headers_and_a_secure_csrf_cookie(
    admin_env, lambda_context
):
    response = _invoke(load_event("admin_login_page"), lambda_context)

    assert response["statusCode"] == 200
    headers = _headers(response)
    assert headers["content-type"].startswith("text/html")
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert '<form method="post" action="/admin/login">' in response["body"]
    (cookie,) = response["cookies"]
    assert cookie.startswith("pierre_login_csrf=")
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_a_login_post_with_a_forged_csrf_token_is_refused(admin_env, lambda_context):
    response = _invoke(load_event("admin_login_forged_csrf"), lambda_context)

    assert response["statusCode"] == 403
    assert "Jeton de sécurité invalide" in response["body"]
    assert not response.get("cookies")


def test_an_anonymous_page_request_is_sent_to_the_login_form(admin_env, lambda_context):
    response = _invoke(load_event("admin_conversations_anonymous"), lambda_context)

    assert response["statusCode"] == 303
    assert _headers(response)["location"] == "/admin/login"


def _bootstrap_login(password: str) -> dict[str, object]:
    event = load_event("admin_login_forged_csrf")
    event["cookies"] = ["pierre_login_csrf=the-login-token"]
    event["body"] = urlencode(
        {"email": f"admin@{LANDLORD}", "password": password, "csrf": "the-login-token"}
    )
    event["headers"]["content-length"] = str(len(event["body"]))
    return event


def test_the_first_administrator_is_bootstrapped_with_the_landlords_own_ssm_secret(
    admin_env, lambda_context
):
    refused = _invoke(_bootstrap_login(GLOBAL_BOOTSTRAP), lambda_context)
    accepted = _invoke(_bootstrap_login(LANDLORD_BOOTSTRAP), lambda_context)

    assert refused["statusCode"] == 401
    assert accepted["statusCode"] == 303
    assert _headers(accepted)["location"] == "/admin/password"


def test_a_landlord_without_its_bootstrap_parameter_cannot_be_bootstrapped(
    admin_env, lambda_context
):
    boto3.client("ssm").delete_parameter(Name=f"/pierre/{bootstrap_secret_name(LANDLORD)}")

    response = _invoke(_bootstrap_login(LANDLORD_BOOTSTRAP), lambda_context)

    assert response["statusCode"] == 401
