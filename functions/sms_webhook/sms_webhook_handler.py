"""SMS webhook function: CM.com inbound messages, acknowledged fast and queued for the worker.

``POST /sms/{secret}``: the secret path segment is CM's only credential (CM signs nothing);
a wrong one gets the same 404 as an unknown route. The work is in
:mod:`pierre_rag.sms.intake`, wired in ``sms_wiring``; this module only routes. It imports
neither the pipeline nor numpy, to keep the cold start small.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from pierre_rag.health import health_payload
from pierre_rag.observability import function_logger
from pierre_rag.sms.intake import secret_matches
from sms_wiring import webhook

logger = function_logger()
app = APIGatewayHttpResolver()


def _json(status: int, payload: dict[str, Any]) -> Response[str]:
    return Response(status, "application/json", json.dumps(payload))


@app.get("/sms/health")
def health() -> dict[str, Any]:
    return health_payload("sms_webhook", webhook().landlords)


@app.post("/sms/<secret>")
def inbound(secret: str) -> Response[str]:
    wired = webhook()
    if not secret_matches(secret, wired.secret()):
        return _json(404, {"statusCode": 404, "message": "Not found"})
    wired.idempotency.register_lambda_context(app.lambda_context)
    event = app.current_event
    reply = wired.intake.handle(event.body, base64_encoded=bool(event.is_base64_encoded))
    return _json(reply.status, reply.payload)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
