"""Chat function: the tenant-facing web API, a FastAPI app behind Mangum (HTTP API v2)."""

from __future__ import annotations

import asyncio
from typing import Any

from pierre_rag.cold_start import collector_paused

with collector_paused():
    from aws_lambda_powertools.logging import correlation_paths
    from mangum import Mangum
    from mangum.types import LambdaContext
    from starlette.types import ASGIApp, Message

    from chat_api.app import create_app
    from chat_wiring import knowledge_statuses, served_registry, services
    from pierre_rag.observability import function_logger
    from pierre_rag.settings import Settings


def init(app: ASGIApp) -> int:
    """Lambda init: the services (landlords, datastores, each landlord's live one, models,
    clients), then one ``GET /api/health`` through ``app``, whose status is returned.

    FastAPI builds its routes' state and Starlette its middleware stack on the first request
    (35-80 ms here). Served at init, they are in SnapStart's snapshot: a restored container's
    first request no longer pays them (a plain cold start pays them either way). The request
    runs on a loop of its own, so Mangum's stays as it set it up."""
    services()
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(_health_status(app))
    finally:
        loop.close()


async def _health_status(app: ASGIApp) -> int:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": "/api/health",
        "raw_path": b"/api/health",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"init")],
    }
    status: list[int] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            status.append(int(message["status"]))

    await app(scope, receive, send)
    return status[0]


with collector_paused():
    logger = function_logger("chat_api")
    app = create_app(services, served_registry, knowledge_statuses)
    asgi = Mangum(app, lifespan="off", api_gateway_base_path="/")

    if Settings.from_env().lambda_function_name:
        init(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response: dict[str, Any] = asgi(event, context)
    return response
