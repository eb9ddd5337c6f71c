"""Validated answers: staff turn a reviewed answer (edited if needed) into the answer given to
any later question close enough to its question (``pierre_rag.review.matching``, on the web
and by SMS); listed and deleted here. A landlord's own, never served to another."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from admin_app.forms import CONVERSATION_ID, CsrfForm, ValidatedForm
from admin_app.render import render
from admin_app.security import Principal, ServicesDep, owned_conversation, require
from admin_app.services import Services
from pierre_rag.auth.access import Capability
from pierre_rag.conversations import Turn
from pierre_rag.pipeline.channels import SMS
from pierre_rag.pipeline.validated import sms_parts
from pierre_rag.review.matching import VALIDATED_MIN_COSINE
from pierre_rag.review.validated import ValidatedAnswer, ValidatedAnswerExistsError

router = APIRouter()
Reviewer = Annotated[Principal, Depends(require(Capability.REVIEW_CONVERSATIONS))]
ConversationId = Annotated[str, Path(max_length=128, pattern=CONVERSATION_ID.pattern)]
MessageId = Annotated[str, Path(max_length=128, pattern=CONVERSATION_ID.pattern)]
AnswerId = Annotated[str, Path(max_length=64, pattern=r"^[a-f0-9]{1,64}$")]
NOTICES = {"deleted": "Réponse validée supprimée.", "validated": "Réponse validée enregistrée."}


def answer_id(conversation_id: str, message_id: str) -> str:
    """One validated answer per reviewed answer: validating it twice is refused."""
    return hashlib.sha256(f"{conversation_id}#{message_id}".encode()).hexdigest()[:24]


def _reviewed(
    svc: Services, principal: Principal, conversation_id: str, message_id: str
) -> tuple[Turn, Turn] | None:
    """The question and answer of one message of the principal's landlord, else None."""
    if owned_conversation(svc, principal, conversation_id) is None:
        return None
    question, answer = svc.conversations.exchange(conversation_id, message_id)
    return (question, answer) if question is not None and answer is not None else None


def _not_found(request: Request, principal: Principal) -> Response:
    return render(
        request,
        "error.html",
        principal,
        title="Réponse introuvable",
        message="Elle n'existe pas, a été supprimée, ou appartient à un autre bailleur.",
        status_code=404,
    )


def _form_page(
    request: Request,
    principal: Principal,
    conversation_id: str,
    exchange: tuple[Turn, Turn],
    *,
    question: str,
    answer: str,
    error: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "validated_form.html",
        principal,
        conversation_id=conversation_id,
        message_id=exchange[1].message_id,
        sources=exchange[1].sources,
        question=question,
        answer=answer,
        threshold=VALIDATED_MIN_COSINE,
        error=error,
        status_code=status_code,
    )


@router.get("/admin/conversations/{conversation_id}/answers/{message_id}/validate")
def validate_form(
    request: Request,
    conversation_id: ConversationId,
    message_id: MessageId,
    principal: Reviewer,
    svc: ServicesDep,
) -> Response:
    exchange = _reviewed(svc, principal, conversation_id, message_id)
    if exchange is None:
        return _not_found(request, principal)
    question, answer = exchange
    return _form_page(
        request,
        principal,
        conversation_id,
        exchange,
        question=question.content,
        answer=answer.content,
    )


@router.post("/admin/conversations/{conversation_id}/answers/{message_id}/validate")
def validate(
    request: Request,
    conversation_id: ConversationId,
    message_id: MessageId,
    form: Annotated[ValidatedForm, Form()],
    principal: Reviewer,
    svc: ServicesDep,
) -> Response:
    exchange = _reviewed(svc, principal, conversation_id, message_id)
    if exchange is None:
        return _not_found(request, principal)
    question, answer = form.question.strip(), form.answer.strip()
    validated = ValidatedAnswer(
        answer_id=answer_id(conversation_id, message_id),
        landlord=principal.landlord,
        question=question,
        answer=answer,
        validated_by=principal.email,
        validated_ms=int(svc.clock() * 1000),
        language=exchange[1].language or "fr",
        sources=exchange[1].sources,
        conversation_id=conversation_id,
        message_id=message_id,
    )
    try:
        svc.validated_answers.add(validated)
    except ValidatedAnswerExistsError:
        return _form_page(
            request,
            principal,
            conversation_id,
            exchange,
            question=question,
            answer=answer,
            error="Cette réponse est déjà validée : supprimez l'ancienne pour la remplacer.",
            status_code=409,
        )
    return RedirectResponse("/admin/validated?done=validated", status_code=303)


@router.get("/admin/validated")
def list_validated(
    request: Request,
    principal: Reviewer,
    svc: ServicesDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    answers = sorted(
        svc.validated_answers.of_landlord(principal.landlord),
        key=lambda answer: -answer.validated_ms,
    )
    landlord = svc.landlords.get(principal.landlord)
    return render(
        request,
        "validated.html",
        principal,
        answers=answers,
        sms_parts={answer.answer_id: sms_parts(answer, landlord) for answer in answers},
        sms_budget=SMS.max_sms_parts,
        threshold=VALIDATED_MIN_COSINE,
        notice=NOTICES.get(done, ""),
    )


@router.post("/admin/validated/{validated_id}/delete")
def delete_validated(
    request: Request,
    validated_id: AnswerId,
    form: Annotated[CsrfForm, Form()],
    principal: Reviewer,
    svc: ServicesDep,
) -> Response:
    if not svc.validated_answers.delete(principal.landlord, validated_id):
        return _not_found(request, principal)
    return RedirectResponse("/admin/validated?done=deleted", status_code=303)
