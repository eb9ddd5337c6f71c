"""Review of a landlord's conversations: list by day, open, score (the conversation and each
answer), delete (GDPR), export. Days and times are the landlord's (its time zone)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, tzinfo
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from admin_app.csv_export import csv_response
from admin_app.forms import CONVERSATION_ID, ConversationFilters, CsrfForm, ScoreForm
from admin_app.labels import outcome_label
from admin_app.render import render
from admin_app.security import Principal, ServicesDep, owned_conversation, require
from admin_app.services import Services
from pierre_rag.auth.access import Capability
from pierre_rag.conversations import (
    AnswerReview,
    ConversationMeta,
    ConversationMismatchError,
    ConversationNotFoundError,
    Turn,
    day_cursor,
)
from pierre_rag.local_days import conversations_of_local_day, local_day, today
from pierre_rag.money import euros
from pierre_rag.storage.ports import ConversationRepository

router = APIRouter()
Reviewer = Annotated[Principal, Depends(require(Capability.REVIEW_CONVERSATIONS))]
ConversationId = Annotated[str, Path(max_length=128, pattern=CONVERSATION_ID.pattern)]
PAGE_SIZE = 50
MAX_PAGES = 10  # Queries per list page when filters discard most conversations
EXPORT_LIMIT = 1000


def _zone(svc: Services, principal: Principal) -> tzinfo:
    return svc.landlords.get(principal.landlord).zone


def _answers_match(meta: ConversationMeta, wanted: str) -> bool:
    """The answer-score filter: ``scored``, ``unscored``, or ``le<n>`` (an answer scored ≤ n)."""
    lowest = meta.lowest_answer_score
    if wanted == "scored":
        return lowest is not None
    if wanted == "unscored":
        return lowest is None
    if wanted.startswith("le"):
        return lowest is not None and lowest <= int(wanted[2:])
    return True


def _matches(meta: ConversationMeta, filters: ConversationFilters) -> bool:
    if filters.channel and meta.channel != filters.channel:
        return False
    if filters.context and meta.context != filters.context:
        return False
    if not _answers_match(meta, filters.answers):
        return False
    score = filters.score
    if score == "none":
        return meta.organisation_score is None
    if score in ("0", "1", "2", "3"):
        return meta.organisation_score == int(score)
    if score == "up":
        return (meta.customer_score or 0) > 0
    if score == "down":
        return (meta.customer_score or 0) < 0
    return True


def list_page(
    store: ConversationRepository,
    landlord: str,
    day: str,
    zone: tzinfo,
    filters: ConversationFilters,
) -> tuple[list[ConversationMeta], str]:
    """Up to :data:`PAGE_SIZE` matching conversations of the landlord's ``day`` (in ``zone``),
    newest first, and the next cursor."""
    after = filters.after
    shown: list[ConversationMeta] = []
    last: ConversationMeta | None = None
    for _ in range(MAX_PAGES):
        metas, after = conversations_of_local_day(
            store, landlord, day, zone, limit=PAGE_SIZE, after=after
        )
        for index, meta in enumerate(metas):
            last = meta
            if _matches(meta, filters):
                shown.append(meta)
            if len(shown) == PAGE_SIZE:
                more = index < len(metas) - 1 or bool(after)
                return shown, day_cursor(meta) if more else ""
        if not after:
            return shown, ""
    return shown, day_cursor(last) if last else ""


def _day(filters: ConversationFilters, svc: Services, zone: tzinfo) -> str:
    """The day asked for, else the landlord's today."""
    if filters.day:
        try:
            return date.fromisoformat(filters.day).isoformat()
        except ValueError:
            pass
    return today(svc.clock(), zone)


def _not_found(request: Request, principal: Principal) -> Response:
    return render(
        request,
        "error.html",
        principal,
        title="Conversation introuvable",
        message="Elle n'existe pas, a été supprimée, ou appartient à un autre bailleur.",
        status_code=404,
    )


@router.get("/admin/conversations")
def list_conversations(
    request: Request,
    principal: Reviewer,
    svc: ServicesDep,
    filters: Annotated[ConversationFilters, Query()],
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    zone = _zone(svc, principal)
    day = _day(filters, svc, zone)
    metas, after = list_page(svc.conversations, principal.landlord, day, zone, filters)
    current = date.fromisoformat(day)
    base = filters.model_dump(exclude={"after", "day"})
    return render(
        request,
        "conversations.html",
        principal,
        day=day,
        previous_day=(current - timedelta(days=1)).isoformat(),
        next_day=(current + timedelta(days=1)).isoformat(),
        filters=filters,
        base_query=base,
        contexts=sorted(svc.landlords.get(principal.landlord).contexts),
        metas=metas,
        after=after,
        notice="Conversation supprimée." if done == "deleted" else "",
    )


@router.get("/admin/conversations/find")
def find_conversation(
    principal: Reviewer, id: Annotated[str, Query(max_length=128)] = ""
) -> Response:
    """GDPR requests come with a conversation id: open it (404 unless it is this landlord's)."""
    conversation_id = id.strip()
    if not CONVERSATION_ID.match(conversation_id):
        return RedirectResponse("/admin/conversations", status_code=303)
    return RedirectResponse(f"/admin/conversations/{conversation_id}", status_code=303)


EXPORT_HEADER = [
    "conversation",
    "début",
    "canal",
    "contexte",
    "note organisation",
    "commentaire organisation",
    "avis client",
    "commentaire client",
    "rôle",
    "heure",
    "message",
    "résultat",
    "sources",
    "langue",
    "modèle",
    "jetons",
    "latence (ms)",
    "coût (EUR)",
    "note de la réponse",
    "commentaire de la réponse",
    "relu par",
]


def _export_rows(
    conversations: list[tuple[ConversationMeta, list[Turn], dict[str, AnswerReview]]],
    zone: tzinfo,
    usd_to_eur: float,
) -> list[list[object]]:
    def stamp(epoch_ms: int) -> str:
        return datetime.fromtimestamp(epoch_ms / 1000, tz=zone).isoformat()

    rows: list[list[object]] = [list(EXPORT_HEADER)]
    for meta, turns, reviews in conversations:
        for turn in turns:
            answer = turn.role == "assistant"
            review = reviews.get(turn.message_id) if answer else None
            rows.append(
                [
                    meta.conversation_id,
                    stamp(meta.created_ms),
                    meta.channel,
                    meta.context,
                    meta.organisation_score,
                    meta.organisation_comment,
                    meta.customer_score,
                    meta.customer_comment,
                    turn.role,
                    stamp(turn.created_ms),
                    turn.content,
                    outcome_label(turn.outcome) if answer else "",
                    " | ".join(str(s.get("file", "")) for s in turn.sources),
                    turn.language,
                    turn.model,
                    turn.prompt_tokens + turn.completion_tokens,
                    turn.latency_ms.get("total", ""),
                    f"{euros(turn.cost_usd, usd_to_eur):.6f}",
                    review.score if review else "",
                    review.comment if review else "",
                    review.reviewer if review else "",
                ]
            )
    return rows


@router.get("/admin/conversations/export.csv")
def export_conversations(
    principal: Reviewer, svc: ServicesDep, filters: Annotated[ConversationFilters, Query()]
) -> Response:
    zone = _zone(svc, principal)
    day = _day(filters, svc, zone)
    metas: list[ConversationMeta] = []
    after = ""
    while len(metas) < EXPORT_LIMIT:
        page, after = conversations_of_local_day(
            svc.conversations, principal.landlord, day, zone, limit=500, after=after
        )
        metas.extend(meta for meta in page if _matches(meta, filters))
        if not after:
            break
    metas = metas[:EXPORT_LIMIT]
    store = svc.conversations

    def read(
        meta: ConversationMeta,
    ) -> tuple[ConversationMeta, list[Turn], dict[str, AnswerReview]]:
        scored = store.answer_reviews(meta.conversation_id) if meta.answer_scores else {}
        return meta, store.all_turns(meta.conversation_id), scored

    with ThreadPoolExecutor(max_workers=8) as pool:
        conversations = list(pool.map(read, metas))
    rows = _export_rows(conversations, zone, svc.usd_to_eur)
    return csv_response(rows, f"conversations-{day}.csv")


@router.get("/admin/conversations/{conversation_id}")
def show_conversation(
    request: Request,
    conversation_id: ConversationId,
    principal: Reviewer,
    svc: ServicesDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    meta = owned_conversation(svc, principal, conversation_id)
    if meta is None:
        return _not_found(request, principal)
    turns = svc.conversations.all_turns(conversation_id)
    return render(
        request,
        "conversation.html",
        principal,
        meta=meta,
        turns=turns,
        reviews=svc.conversations.answer_reviews(conversation_id),
        day=local_day(meta.created_ms, _zone(svc, principal)),
        notice=NOTICES.get(done, ""),
    )


NOTICES = {"scored": "Note enregistrée.", "answer-scored": "Note de la réponse enregistrée."}
MessageId = Annotated[str, Path(max_length=128, pattern=CONVERSATION_ID.pattern)]


@router.post("/admin/conversations/{conversation_id}/answers/{message_id}/score")
def score_answer(
    request: Request,
    conversation_id: ConversationId,
    message_id: MessageId,
    form: Annotated[ScoreForm, Form()],
    principal: Reviewer,
    svc: ServicesDep,
) -> Response:
    """Staff's score of one answer; the store refuses another landlord's conversation too."""
    if owned_conversation(svc, principal, conversation_id) is None:
        return _not_found(request, principal)
    if svc.conversations.answer_to(conversation_id, message_id) is None:
        return _not_found(request, principal)
    review = AnswerReview(
        message_id=message_id,
        score=form.score,
        comment=form.comment.strip() or None,
        reviewer=principal.email,
        reviewed_ms=int(svc.clock() * 1000),
    )
    retention = svc.landlords.get(principal.landlord).retention_days
    try:
        svc.conversations.set_answer_review(
            conversation_id, review, landlord=principal.landlord, retention_days=retention
        )
    except (ConversationMismatchError, ConversationNotFoundError):
        return _not_found(request, principal)
    return RedirectResponse(
        f"/admin/conversations/{conversation_id}?done=answer-scored#answer-{message_id}",
        status_code=303,
    )


@router.post("/admin/conversations/{conversation_id}/score")
def score_conversation(
    request: Request,
    conversation_id: ConversationId,
    form: Annotated[ScoreForm, Form()],
    principal: Reviewer,
    svc: ServicesDep,
) -> Response:
    if owned_conversation(svc, principal, conversation_id) is None:
        return _not_found(request, principal)
    svc.conversations.set_organisation_score(
        conversation_id, form.score, form.comment.strip() or None
    )
    return RedirectResponse(f"/admin/conversations/{conversation_id}?done=scored", status_code=303)


@router.get("/admin/conversations/{conversation_id}/delete")
def confirm_delete_conversation(
    request: Request, conversation_id: ConversationId, principal: Reviewer, svc: ServicesDep
) -> Response:
    meta = owned_conversation(svc, principal, conversation_id)
    if meta is None:
        return _not_found(request, principal)
    return render(request, "conversation_delete.html", principal, meta=meta)


@router.post("/admin/conversations/{conversation_id}/delete")
def delete_conversation(
    request: Request,
    conversation_id: ConversationId,
    form: Annotated[CsrfForm, Form()],
    principal: Reviewer,
    svc: ServicesDep,
) -> Response:
    meta = owned_conversation(svc, principal, conversation_id)
    if meta is None:
        return _not_found(request, principal)
    svc.conversations.delete(conversation_id)
    day = local_day(meta.created_ms, _zone(svc, principal))
    return RedirectResponse(f"/admin/conversations?day={day}&done=deleted", status_code=303)
