"""Chat function: the tenant-facing web API, a FastAPI app behind Mangum (HTTP API v2)."""

from __future__ import annotations

import os

from mangum import Mangum

from chat_api.app import create_app
from chat_api.services import chat_services

app = create_app()
handler = Mangum(app, lifespan="off", api_gateway_base_path="/")

if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
    chat_services()  # Lambda init: tenants, datastore, embedding model, clients
