"""Channels: collaborators (and administrators) reach the protected chat contexts;
administrators see the SMS that could not be answered (dead-letter queue), and send each back
to the worker or delete it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from admin_app.forms import FailedSmsForm
from admin_app.render import render
from admin_app.security import Principal, require, services
from admin_app.services import Services
from pierre_rag.auth.access import Capability

router = APIRouter()
CHAT_PAGE = "/api/embed"  # the chat function's page; it accepts the same session cookie


@router.get("/admin/chat")
def protected_chat(
    request: Request,
    principal: Annotated[Principal, Depends(require(Capability.USE_PROTECTED_CHAT))],
    svc: Annotated[Services, Depends(services)],
) -> Response:
    landlord = svc.landlords.get(principal.landlord)
    links = [
        (
            name,
            context.audience,
            f"{CHAT_PAGE}/{quote(landlord.id)}/{quote(name)}",
        )
        for name, context in sorted(landlord.contexts.items())
        if context.protected
    ]
    return render(request, "chat.html", principal, landlord=landlord, links=links)


NOTICES = {
    "requeued": "Le SMS est renvoyé au traitement : la réponse partira dans quelques instants.",
    "deleted": "Le SMS en échec est supprimé.",
    "gone": "Ce SMS n'est plus dans la file des messages en échec (déjà traité ?).",
}


@router.get("/admin/sms/failed")
def failed_sms(
    request: Request,
    principal: Annotated[Principal, Depends(require(Capability.MANAGE_FAILED_SMS))],
    svc: Annotated[Services, Depends(services)],
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    messages = svc.failed_sms(principal.landlord)
    return render(
        request, "sms_failed.html", principal, messages=messages, notice=NOTICES.get(done, "")
    )


@router.post("/admin/sms/failed/requeue")
def requeue_failed_sms(
    form: Annotated[FailedSmsForm, Form()],
    principal: Annotated[Principal, Depends(require(Capability.MANAGE_FAILED_SMS))],
    svc: Annotated[Services, Depends(services)],
) -> Response:
    """Back to the SMS queue: the worker answers it (once, thanks to its delivery record)."""
    done = svc.requeue_failed_sms(principal.landlord, form.message_id)
    return RedirectResponse(f"/admin/sms/failed?done={'requeued' if done else 'gone'}", 303)


@router.post("/admin/sms/failed/delete")
def delete_failed_sms(
    form: Annotated[FailedSmsForm, Form()],
    principal: Annotated[Principal, Depends(require(Capability.MANAGE_FAILED_SMS))],
    svc: Annotated[Services, Depends(services)],
) -> Response:
    done = svc.delete_failed_sms(principal.landlord, form.message_id)
    return RedirectResponse(f"/admin/sms/failed?done={'deleted' if done else 'gone'}", 303)
