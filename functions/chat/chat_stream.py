"""The streamed chat turn: the chat's FastAPI app as a plain ASGI app, for uvicorn.

``ChatStreamFunction`` (template.yaml) runs ``run.sh`` under the Lambda Web Adapter, which
forwards each Function URL request to this app over HTTP and streams its body back as it is
written, where Mangum behind the HTTP API hands the whole body over at the end. CloudFront
sends only ``POST /api/conversations/{id}/messages`` here; the app is the same as
``chat_handler``'s, so the checks (origin, staff, rate limits, idempotency) are the same code.
"""

from __future__ import annotations

import json
from typing import Any

from pierre_rag.cold_start import collector_paused

with collector_paused():
    from aws_lambda_powertools import Logger
    from starlette.types import ASGIApp, Receive, Scope, Send

    from chat_api.app import create_app
    from chat_wiring import knowledge_statuses, served_registry, services
    from pierre_rag.observability import function_logger
    from pierre_rag.settings import Settings

# The Lambda Web Adapter passes the invocation's request context (the Function URL event's
# ``requestContext``, with its ``requestId``) to the app in this header.
REQUEST_CONTEXT_HEADER = b"x-amzn-request-context"


class RequestCorrelation:
    """Each request's log lines carry its request id as correlation id, as ``chat_handler``'s
    do under ``inject_lambda_context`` (there is no Lambda event in this process). One request
    at a time per execution environment, so the logger's one correlation id is this one's."""

    def __init__(self, app: ASGIApp, logger: Logger) -> None:
        self.app = app
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.logger.set_correlation_id(_request_id(scope))
        try:
            await self.app(scope, receive, send)
        finally:
            self.logger.set_correlation_id(None)


def _request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == REQUEST_CONTEXT_HEADER:
            try:
                context: Any = json.loads(value)
            except ValueError:
                return None
            request_id = context.get("requestId") if isinstance(context, dict) else None
            return str(request_id) if request_id else None
    return None


with collector_paused():
    logger = function_logger("chat_api")
    app = RequestCorrelation(create_app(services, served_registry, knowledge_statuses), logger)

    if Settings.from_env().lambda_function_name:
        # Lambda init, before uvicorn listens: the adapter's readiness check (/api/health) then
        # passes only once the services are built, so SnapStart's snapshot holds them.
        services()
