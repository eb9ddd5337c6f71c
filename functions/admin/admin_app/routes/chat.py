"""Channels: collaborators (and administrators) reach the protected chat contexts;
administrators see the SMS that could not be answered (dead-letter queue)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from admin_app.render import render
from admin_app.security import ADMIN, PROTECTED_CHAT, Principal, require, services
from admin_app.services import Services

router = APIRouter()
CHAT_PAGE = "/api/embed"  # the chat function's page; it accepts the same session cookie


@router.get("/admin/chat")
def protected_chat(
    request: Request,
    principal: Annotated[Principal, Depends(require(*PROTECTED_CHAT))],
    svc: Annotated[Services, Depends(services)],
) -> Response:
    tenant = svc.tenants.get(principal.tenant)
    links = [
        (
            name,
            context.audience,
            f"{CHAT_PAGE}/{quote(tenant.id)}/{quote(name)}",
        )
        for name, context in sorted(tenant.contexts.items())
        if context.protected
    ]
    return render(request, "chat.html", principal, tenant=tenant, links=links)


@router.get("/admin/sms/failed")
def failed_sms(
    request: Request,
    principal: Annotated[Principal, Depends(require(*ADMIN))],
    svc: Annotated[Services, Depends(services)],
) -> Response:
    messages = svc.failed_sms(principal.tenant)
    return render(request, "sms_failed.html", principal, messages=messages)
