"""Admin function: landlord staff pages, a FastAPI app behind Mangum (HTTP API v2).

The routes live in the ``admin_app`` package; AWS clients and secrets are created on the first
request that needs them and cached for the container's life.
"""

from __future__ import annotations

from admin_app.app import create_app
from mangum import Mangum

app = create_app()
handler = Mangum(app, lifespan="off", api_gateway_base_path="/")
