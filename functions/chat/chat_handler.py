"""Chat function: the tenant-facing web API, a FastAPI app behind Mangum (HTTP API v2)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from mangum import Mangum

from pierre_rag.health import health_payload

app = FastAPI(
    title="PIERRE chat API",
    openapi_url="/api/openapi.json",
    docs_url="/api/docs",
    redoc_url=None,
)


@app.get("/api/health", summary="Liveness of the chat function")
def health() -> dict[str, Any]:
    return health_payload("chat")


handler = Mangum(app, lifespan="off", api_gateway_base_path="/")
