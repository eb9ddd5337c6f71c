"""Chat function: the tenant-facing web API, a FastAPI app behind Mangum (HTTP API v2)."""

from __future__ import annotations

from typing import Any, cast

from pierre_rag.cold_start import collector_paused

with collector_paused():
    from aws_lambda_powertools.logging import correlation_paths
    from mangum import Mangum
    from mangum.types import LambdaContext

    from chat_api.app import create_app
    from chat_wiring import knowledge_statuses, served_registry, services
    from pierre_rag.observability import function_logger
    from pierre_rag.settings import Settings

# One GET /api/health as the HTTP API sends it, served at init by ``init``.
WARM_UP_EVENT: dict[str, Any] = {
    "version": "2.0",
    "rawPath": "/api/health",
    "rawQueryString": "",
    "headers": {"host": "init"},
    "requestContext": {"http": {"method": "GET", "path": "/api/health", "sourceIp": "127.0.0.1"}},
    "isBase64Encoded": False,
}


def init(adapter: Mangum) -> int:
    """Lambda init: the services (landlords, datastores, each landlord's live one, models,
    clients), then one health request through ``adapter``, whose status is returned.

    FastAPI builds its routes' state and Starlette its middleware stack on the first request
    (35-50 ms here). Served at init, they are in SnapStart's snapshot: a restored container's
    first request no longer pays them (a plain cold start pays them either way)."""
    services()
    response = adapter(WARM_UP_EVENT, cast(LambdaContext, None))  # health reads no context
    return int(response["statusCode"])


with collector_paused():
    logger = function_logger("chat_api")
    app = create_app(services, served_registry, knowledge_statuses)
    asgi = Mangum(app, lifespan="off", api_gateway_base_path="/")

    if Settings.from_env().lambda_function_name:
        init(asgi)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response: dict[str, Any] = asgi(event, context)
    return response
