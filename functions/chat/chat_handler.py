"""Chat function: the tenant-facing web API, a FastAPI app behind Mangum (HTTP API v2)."""

from __future__ import annotations

from mangum import Mangum

from chat_api.app import create_app
from chat_api.services import chat_services
from pierre_rag.settings import Settings

app = create_app()
handler = Mangum(app, lifespan="off", api_gateway_base_path="/")

if Settings.from_env().lambda_function_name:
    chat_services()  # Lambda init: tenants, datastore, embedding model, clients
