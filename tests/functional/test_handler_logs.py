"""Given a handler with its log output captured, when a recorded event is handled, then every
line is JSON with the Lambda context and the request's correlation id."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from admin_app.services import default_services

import admin_handler
from tests.helpers import load_event


class CapturedLines:
    """The JSON lines a function's handler writes (its Powertools formatter, all loggers)."""

    def __init__(self, powertools_logger: Any, *names: str) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(powertools_logger.registered_formatter)
        self.loggers = [powertools_logger._logger, *(logging.getLogger(n) for n in names)]

    def __enter__(self) -> CapturedLines:
        for logger in self.loggers:
            logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc: object) -> None:
        for logger in self.loggers:
            logger.removeHandler(self.handler)

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]


def test_an_admin_request_logs_json_lines_with_the_request_correlation_id(
    dynamodb, monkeypatch, lambda_context
):
    # Given the admin without the origin secret (its rule then logs a warning on first use)
    boto3.client("ssm").put_parameter(
        Name="/pierre/session-secret", Value="x" * 40, Type="SecureString"
    )
    default_services.cache_clear()
    event = load_event("admin_login_forged_csrf")

    def invoke() -> dict[str, Any]:
        asyncio.set_event_loop(asyncio.new_event_loop())
        return admin_handler.handler(event, lambda_context)

    # When the admin handles a login post (a forged one)
    try:
        with (
            CapturedLines(admin_handler.logger, "pierre_rag", "admin_app") as logs,
            ThreadPoolExecutor(max_workers=1) as pool,
        ):
            response = pool.submit(invoke).result()
    finally:
        default_services.cache_clear()

    # Then the layer's line is JSON, with the request's correlation id
    assert response["statusCode"] == 403  # the forged login, refused
    (warning,) = [line for line in logs.lines() if line["name"] == "pierre_rag.client_ip"]
    assert warning["level"] == "WARNING"
    assert warning["correlation_id"] == event["requestContext"]["requestId"]
    assert warning["function_name"] == lambda_context.function_name
