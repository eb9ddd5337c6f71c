"""Admin function: landlord staff pages, a FastAPI app behind Mangum (HTTP API v2).

The routes live in the ``admin_app`` package; its services (``admin_wiring``) are built on the
first request that needs them and kept for the container's life.
"""

from __future__ import annotations

from typing import Any

from pierre_rag.cold_start import collector_paused

with collector_paused():
    from admin_app.app import create_app
    from aws_lambda_powertools.logging import correlation_paths
    from mangum import Mangum
    from mangum.types import LambdaContext

    from admin_wiring import services
    from pierre_rag.observability import function_logger

    logger = function_logger("admin_app")
    app = create_app(services)
    asgi = Mangum(app, lifespan="off", api_gateway_base_path="/")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response: dict[str, Any] = asgi(event, context)
    return response
