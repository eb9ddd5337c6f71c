"""Liveness of the admin function and its landlords (no session needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from admin_app.security import ServicesDep
from pierre_rag.health import health_payload

router = APIRouter()


@router.get("/admin/health", summary="Liveness of the admin function and its landlords")
def health(svc: ServicesDep) -> dict[str, Any]:
    return health_payload("admin", svc.landlords)
