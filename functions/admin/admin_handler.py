"""Admin function: landlord staff pages, a FastAPI app behind Mangum (HTTP API v2)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from mangum import Mangum

from pierre_rag.health import health_payload

app = FastAPI(title="PIERRE admin", openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/admin/health", summary="Liveness of the admin function")
def health() -> dict[str, Any]:
    return health_payload("admin")


handler = Mangum(app, lifespan="off", api_gateway_base_path="/")
