"""Chat function: the tenant-facing web API, a FastAPI app behind Mangum (HTTP API v2)."""

from __future__ import annotations

from typing import Any

from pierre_rag.cold_start import collector_paused

with collector_paused():
    from aws_lambda_powertools.logging import correlation_paths
    from mangum import Mangum
    from mangum.types import LambdaContext

    from chat_api.app import create_app
    from chat_wiring import knowledge_statuses, served_registry, services
    from pierre_rag.observability import function_logger
    from pierre_rag.settings import Settings

    logger = function_logger("chat_api")
    app = create_app(services, served_registry, knowledge_statuses)
    asgi = Mangum(app, lifespan="off", api_gateway_base_path="/")

    if Settings.from_env().lambda_function_name:
        services()  # Lambda init: landlords, datastores (each landlord's live one), model, clients


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response: dict[str, Any] = asgi(event, context)
    return response
