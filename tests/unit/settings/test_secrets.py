"""Secrets come from SSM through Powertools Parameters, cached for a bounded time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.parameters import base as powertools_parameters
from botocore.exceptions import ClientError

from pierre_rag.settings import read_secret

START = datetime(2026, 11, 30, 12, 0, 0)


class FrozenClock:
    """Stands in for the ``datetime`` Powertools' parameter cache reads its expiry from."""

    now_value = START

    @classmethod
    def now(cls) -> datetime:
        return cls.now_value


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> type[FrozenClock]:
    FrozenClock.now_value = START
    monkeypatch.setattr(powertools_parameters, "datetime", FrozenClock)
    return FrozenClock


@pytest.fixture
def ssm(aws: None) -> Iterator[Any]:
    read_secret.cache_clear()
    yield boto3.client("ssm")
    read_secret.cache_clear()


def _put(ssm: Any, name: str, value: str) -> None:
    ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)


def test_a_rotated_secret_is_served_once_max_age_has_passed(ssm, clock):
    # Given a secret read once by a warm container
    _put(ssm, "/pierre/session-secret", "before")
    assert read_secret("session-secret") == "before"

    # When it is rotated in SSM
    _put(ssm, "/pierre/session-secret", "after")

    # Then the container keeps the cached value for max_age (300 s), then reads the new one
    clock.now_value = START + timedelta(seconds=299)
    assert read_secret("session-secret") == "before"
    clock.now_value = START + timedelta(seconds=301)
    assert read_secret("session-secret") == "after"


def test_max_age_comes_from_the_settings(ssm, clock, monkeypatch):
    monkeypatch.setenv("PIERRE_SECRETS_MAX_AGE_S", "10")
    _put(ssm, "/pierre/cm-product-token", "old")
    assert read_secret("cm-product-token") == "old"
    _put(ssm, "/pierre/cm-product-token", "new")

    clock.now_value = START + timedelta(seconds=11)
    assert read_secret("cm-product-token") == "new"


def test_max_age_zero_reads_ssm_on_every_use(ssm, clock, monkeypatch):
    monkeypatch.setenv("PIERRE_SECRETS_MAX_AGE_S", "0")
    _put(ssm, "/pierre/origin-secret", "one")
    assert read_secret("origin-secret") == "one"

    _put(ssm, "/pierre/origin-secret", "two")
    assert read_secret("origin-secret") == "two"


def test_the_prefix_is_a_setting(ssm, monkeypatch):
    monkeypatch.setenv("PIERRE_SECRETS_PREFIX", "/other/")
    _put(ssm, "/other/phone-hash-key", "k")

    assert read_secret("phone-hash-key") == "k"


def test_a_missing_secret_raises_the_ssm_error_callers_check(ssm):
    # Powertools wraps it in GetParameterError; callers look for ParameterNotFound
    with pytest.raises(ClientError) as raised:
        read_secret("admin-bootstrap/nobody")

    assert raised.value.response["Error"]["Code"] == "ParameterNotFound"


def test_a_missing_secret_is_not_cached(ssm):
    with pytest.raises(ClientError):
        read_secret("llm-api-key")
    _put(ssm, "/pierre/llm-api-key", "created")

    assert read_secret("llm-api-key") == "created"


def test_cache_clear_forgets_every_value(ssm):
    _put(ssm, "/pierre/sms-webhook-secret", "first")
    assert read_secret("sms-webhook-secret") == "first"
    _put(ssm, "/pierre/sms-webhook-secret", "second")

    read_secret.cache_clear()

    assert read_secret("sms-webhook-secret") == "second"


def test_the_ssm_client_shares_the_default_session_of_the_other_clients(ssm):
    # Given the function's clients made from boto3's default session (one botocore loader)
    _put(ssm, "/pierre/session-secret", "value")
    loader = boto3.DEFAULT_SESSION._session.get_component("data_loader")  # type: ignore[union-attr]

    # When a secret is read
    read_secret("session-secret")

    # Then its SSM client was made from that session too, not from a session of its own
    # that would load botocore's data again at every cold start
    assert read_secret._provider is not None
    assert read_secret._provider.client._loader is loader  # type: ignore[union-attr]
