"""SMS webhook function: CM.com inbound messages, acknowledged fast and queued for the worker."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from pierre_rag.health import health_payload

logger = Logger()
app = APIGatewayHttpResolver()


@app.get("/sms/health")
def health() -> dict[str, Any]:
    return health_payload("sms_webhook")


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
