"""The streamed chat turn: the chat's FastAPI app as a plain ASGI app, for uvicorn.

``ChatStreamFunction`` (template.yaml) runs ``run.sh`` under the Lambda Web Adapter, which
forwards each Function URL request to this app over HTTP and streams its body back as it is
written, where Mangum behind the HTTP API hands the whole body over at the end. CloudFront
sends only ``POST /api/conversations/{id}/messages`` here; the app is the same as
``chat_handler``'s, so the checks (origin, staff, rate limits, idempotency) are the same code.
"""

from __future__ import annotations

from chat_api.app import create_app
from chat_wiring import knowledge_statuses, served_registry, services
from pierre_rag.observability import function_logger
from pierre_rag.settings import Settings

logger = function_logger("chat_api")
app = create_app(services, served_registry, knowledge_statuses)

if Settings.from_env().lambda_function_name:
    # Lambda init, before uvicorn listens: the adapter's readiness check (/api/health) then
    # passes only once the services are built, so SnapStart's snapshot holds them.
    services()
