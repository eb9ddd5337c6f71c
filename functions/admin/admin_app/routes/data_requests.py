"""Tenants' data requests (RGPD): an administrator finds the conversations of an SMS number or
of a conversation id, exports them (one .zip: JSON and readable text) and erases them after a
confirmation. Every search, export and erasure is audited (:mod:`pierre_rag.data_requests`).

The number typed is normalised, keyed-hashed and forgotten: the result page and the export
and erase forms carry its hash only, and neither the audit nor a log ever holds the number.
Everything is POST with the session's CSRF token, so no number or hash reaches a URL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from admin_app.data_export import (
    ExportedConversation,
    export_archive,
    export_json,
    export_text,
)
from admin_app.forms import CONVERSATION_ID, DataRequestForm, DataSubjectForm
from admin_app.labels import DATA_REQUEST_ACTION_LABELS
from admin_app.render import render
from admin_app.security import Principal, ServicesDep, require
from admin_app.services import Services
from pierre_rag.auth.access import Capability
from pierre_rag.conversations import ConversationMeta
from pierre_rag.data_requests import (
    DataRequestAction,
    DataRequestRecord,
    DataSubject,
    erase,
    find_conversations,
)
from pierre_rag.phones import InvalidPhoneNumberError, normalise_phone
from pierre_rag.storage.ports import DataRequestLogRepository

router = APIRouter()
Handler = Annotated[Principal, Depends(require(Capability.HANDLE_DATA_REQUESTS))]
AUDIT_SHOWN = 20  # the page shows the last entries of the audit

NO_SUBJECT = (
    "Indiquez le numéro de téléphone ou l'identifiant de conversation donné par le locataire."
)
BOTH_SUBJECTS = (
    "Indiquez soit un numéro de téléphone, soit un identifiant de conversation, pas les deux."
)
BAD_PHONE = (
    "Ce numéro de téléphone n'est pas valide : écrivez-le par exemple 06 12 34 56 78 "
    "ou +33 6 12 34 56 78 (avec l'indicatif du pays pour un numéro étranger)."
)
BAD_CONVERSATION = (
    "Cet identifiant de conversation n'est pas valide : lettres, chiffres et . _ : - seulement, "
    "128 caractères au plus."
)
NOT_CONFIGURED = (
    "Les demandes RGPD ne sont pas disponibles : le journal d'audit ou la clé d'empreinte "
    "des numéros (phone-hash-key) n'est pas configuré."
)


class NotConfiguredError(RuntimeError):
    """No audit store or no phone-hash key: the page answers 503 rather than act unaudited."""


def _log(svc: Services) -> DataRequestLogRepository:
    if svc.data_request_log is None:
        raise NotConfiguredError
    return svc.data_request_log


def _subject(form: DataRequestForm, svc: Services) -> DataSubject | str:
    """The subject the form names, or the French error to show."""
    phone, conversation = form.phone.strip(), form.conversation.strip()
    if not phone and not conversation:
        return NO_SUBJECT
    if phone and conversation:
        return BOTH_SUBJECTS
    if conversation:
        if not CONVERSATION_ID.match(conversation):
            return BAD_CONVERSATION
        return DataSubject("conversation", conversation)
    try:
        number = normalise_phone(phone)
    except InvalidPhoneNumberError:
        return BAD_PHONE
    if svc.phone_hash is None:
        raise NotConfiguredError
    return DataSubject("phone", svc.phone_hash(number))


def _audit(
    svc: Services,
    principal: Principal,
    action: DataRequestAction,
    subject: DataSubject,
    conversations: int,
) -> None:
    _log(svc).record(
        DataRequestRecord(
            landlord=principal.landlord,
            at_ms=int(svc.clock() * 1000),
            actor=principal.email,
            action=action,
            subject=subject,
            conversations=conversations,
        )
    )


def _page(
    request: Request,
    principal: Principal,
    svc: Services,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    try:
        audit = _log(svc).latest(principal.landlord, AUDIT_SHOWN)
    except NotConfiguredError:
        return _not_configured(request, principal)
    return render(
        request,
        "data_requests.html",
        principal,
        status_code=status_code,
        audit=audit,
        action_labels=DATA_REQUEST_ACTION_LABELS,
        **context,
    )


def _not_configured(request: Request, principal: Principal) -> Response:
    return render(
        request,
        "error.html",
        principal,
        title="Demandes RGPD indisponibles",
        message=NOT_CONFIGURED,
        status_code=503,
    )


@router.get("/admin/data-requests")
def data_requests(
    request: Request,
    principal: Handler,
    svc: ServicesDep,
    deleted: Annotated[int | None, Query(ge=0, le=100_000)] = None,
) -> Response:
    notice = "" if deleted is None else f"{deleted} conversation(s) supprimée(s) définitivement."
    return _page(request, principal, svc, notice=notice)


@router.post("/admin/data-requests/search")
def search(
    request: Request,
    form: Annotated[DataRequestForm, Form()],
    principal: Handler,
    svc: ServicesDep,
) -> Response:
    try:
        subject = _subject(form, svc)
        if isinstance(subject, str):
            return _page(request, principal, svc, status_code=400, error=subject, form=form)
        metas = find_conversations(svc.conversations, principal.landlord, subject)
        _audit(svc, principal, "search", subject, len(metas))
    except NotConfiguredError:
        return _not_configured(request, principal)
    return _page(request, principal, svc, subject=subject, metas=metas, searched=True)


def _found(svc: Services, principal: Principal, form: DataSubjectForm) -> list[ConversationMeta]:
    subject = DataSubject(form.kind, form.key)
    return find_conversations(svc.conversations, principal.landlord, subject)


@router.post("/admin/data-requests/export")
def export(
    form: Annotated[DataSubjectForm, Form()],
    request: Request,
    principal: Handler,
    svc: ServicesDep,
) -> Response:
    subject = DataSubject(form.kind, form.key)
    store = svc.conversations
    try:
        _log(svc)  # nothing leaves unaudited
    except NotConfiguredError:
        return _not_configured(request, principal)
    exported = [
        ExportedConversation(
            meta, store.all_turns(meta.conversation_id), store.answer_reviews(meta.conversation_id)
        )
        for meta in _found(svc, principal, form)
    ]
    _audit(svc, principal, "export", subject, len(exported))
    landlord = svc.landlords.get(principal.landlord)
    generated_ms = int(svc.clock() * 1000)
    json_text = export_json(
        exported,
        landlord=principal.landlord,
        subject=subject,
        generated_ms=generated_ms,
        zone=landlord.zone,
    )
    text = export_text(
        exported,
        landlord_name=landlord.name,
        subject=subject,
        generated_ms=generated_ms,
        zone=landlord.zone,
    )
    day = datetime.fromtimestamp(generated_ms / 1000, tz=landlord.zone).date().isoformat()
    return Response(
        export_archive(json_text, text, generated_ms, landlord.zone),
        media_type="application/zip",
        headers={
            "content-disposition": f'attachment; filename="donnees-conversations-{day}.zip"',
            "cache-control": "no-store",
        },
    )


@router.post("/admin/data-requests/delete/confirm")
def confirm_delete(
    request: Request,
    form: Annotated[DataSubjectForm, Form()],
    principal: Handler,
    svc: ServicesDep,
) -> Response:
    subject = DataSubject(form.kind, form.key)
    metas = _found(svc, principal, form)
    # Staff may have validated an answer from these conversations: its text is theirs and is
    # kept, but it may repeat the tenant's words, so the page lists it for review.
    found = {meta.conversation_id for meta in metas}
    derived = [
        answer
        for answer in svc.validated_answers.of_landlord(principal.landlord)
        if answer.conversation_id in found
    ]
    return render(
        request,
        "data_requests_delete.html",
        principal,
        subject=subject,
        metas=metas,
        derived=derived,
    )


@router.post("/admin/data-requests/delete")
def delete(
    request: Request,
    form: Annotated[DataSubjectForm, Form()],
    principal: Handler,
    svc: ServicesDep,
) -> Response:
    """Erase what the subject finds now (found again: the confirmation page may be old),
    audited first: an erasure is never left unrecorded, even one that fails half-way."""
    subject = DataSubject(form.kind, form.key)
    metas = _found(svc, principal, form)
    try:
        _audit(svc, principal, "delete", subject, len(metas))
    except NotConfiguredError:
        return _not_configured(request, principal)
    erased = erase(svc.conversations, metas, principal.landlord)
    return RedirectResponse(f"/admin/data-requests?deleted={erased}", status_code=303)
