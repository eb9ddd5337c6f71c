"""Review of a landlord's conversations: list by day, open, score, delete (GDPR), export."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from admin_app.csv_export import csv_response
from admin_app.forms import CONVERSATION_ID, ConversationFilters, CsrfForm, ScoreForm
from admin_app.render import render
from admin_app.security import Principal, ServicesDep, require
from admin_app.services import Services
from pierre_rag.auth.access import Capability
from pierre_rag.conversations import ConversationMeta, Turn, day_cursor
from pierre_rag.storage.ports import ConversationRepository

router = APIRouter()
Reviewer = Annotated[Principal, Depends(require(Capability.REVIEW_CONVERSATIONS))]
ConversationId = Annotated[str, Path(max_length=128, pattern=CONVERSATION_ID.pattern)]
PAGE_SIZE = 50
MAX_PAGES = 10  # Queries per list page when filters discard most conversations
EXPORT_LIMIT = 1000


def _today() -> str:
    return datetime.now(tz=UTC).date().isoformat()


def _matches(meta: ConversationMeta, filters: ConversationFilters) -> bool:
    if filters.channel and meta.channel != filters.channel:
        return False
    if filters.context and meta.context != filters.context:
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
    store: ConversationRepository, landlord: str, day: str, filters: ConversationFilters
) -> tuple[list[ConversationMeta], str]:
    """Up to :data:`PAGE_SIZE` matching conversations, newest first, and the next cursor."""
    after = filters.after
    shown: list[ConversationMeta] = []
    last: ConversationMeta | None = None
    for _ in range(MAX_PAGES):
        metas, after = store.conversations_of_day(landlord, day, limit=PAGE_SIZE, after=after)
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


def _day(filters: ConversationFilters) -> str:
    if filters.day:
        try:
            return date.fromisoformat(filters.day).isoformat()
        except ValueError:
            pass
    return _today()


def _owned(svc: Services, principal: Principal, conversation_id: str) -> ConversationMeta | None:
    """The conversation if it belongs to the principal's landlord; otherwise None (→ 404)."""
    meta = svc.conversations.get_meta(conversation_id)
    return meta if meta is not None and meta.landlord == principal.landlord else None


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
    day = _day(filters)
    metas, after = list_page(svc.conversations, principal.landlord, day, filters)
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


def _export_rows(metas: list[ConversationMeta], turns: list[list[Turn]]) -> list[list[object]]:
    rows: list[list[object]] = [
        [
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
            "coût (USD)",
        ]
    ]
    for meta, conversation in zip(metas, turns, strict=True):
        for turn in conversation:
            rows.append(
                [
                    meta.conversation_id,
                    datetime.fromtimestamp(meta.created_ms / 1000, tz=UTC).isoformat(),
                    meta.channel,
                    meta.context,
                    meta.organisation_score,
                    meta.organisation_comment,
                    meta.customer_score,
                    meta.customer_comment,
                    turn.role,
                    datetime.fromtimestamp(turn.created_ms / 1000, tz=UTC).isoformat(),
                    turn.content,
                    turn.outcome,
                    " | ".join(str(s.get("file", "")) for s in turn.sources),
                    turn.language,
                    turn.model,
                    turn.prompt_tokens + turn.completion_tokens,
                    turn.latency_ms.get("total", ""),
                    f"{turn.cost_usd:.6f}",
                ]
            )
    return rows


@router.get("/admin/conversations/export.csv")
def export_conversations(
    principal: Reviewer, svc: ServicesDep, filters: Annotated[ConversationFilters, Query()]
) -> Response:
    day = _day(filters)
    metas: list[ConversationMeta] = []
    after = ""
    while len(metas) < EXPORT_LIMIT:
        page, after = svc.conversations.conversations_of_day(
            principal.landlord, day, limit=500, after=after
        )
        metas.extend(meta for meta in page if _matches(meta, filters))
        if not after:
            break
    metas = metas[:EXPORT_LIMIT]
    with ThreadPoolExecutor(max_workers=8) as pool:
        turns = list(pool.map(lambda m: svc.conversations.all_turns(m.conversation_id), metas))
    return csv_response(_export_rows(metas, turns), f"conversations-{day}.csv")


@router.get("/admin/conversations/{conversation_id}")
def show_conversation(
    request: Request,
    conversation_id: ConversationId,
    principal: Reviewer,
    svc: ServicesDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    meta = _owned(svc, principal, conversation_id)
    if meta is None:
        return _not_found(request, principal)
    turns = svc.conversations.all_turns(conversation_id)
    return render(
        request,
        "conversation.html",
        principal,
        meta=meta,
        turns=turns,
        day=datetime.fromtimestamp(meta.created_ms / 1000, tz=UTC).date().isoformat(),
        notice="Note enregistrée." if done == "scored" else "",
    )


@router.post("/admin/conversations/{conversation_id}/score")
def score_conversation(
    request: Request,
    conversation_id: ConversationId,
    form: Annotated[ScoreForm, Form()],
    principal: Reviewer,
    svc: ServicesDep,
) -> Response:
    if _owned(svc, principal, conversation_id) is None:
        return _not_found(request, principal)
    svc.conversations.set_organisation_score(
        conversation_id, form.score, form.comment.strip() or None
    )
    return RedirectResponse(f"/admin/conversations/{conversation_id}?done=scored", status_code=303)


@router.get("/admin/conversations/{conversation_id}/delete")
def confirm_delete_conversation(
    request: Request, conversation_id: ConversationId, principal: Reviewer, svc: ServicesDep
) -> Response:
    meta = _owned(svc, principal, conversation_id)
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
    meta = _owned(svc, principal, conversation_id)
    if meta is None:
        return _not_found(request, principal)
    svc.conversations.delete(conversation_id)
    day = datetime.fromtimestamp(meta.created_ms / 1000, tz=UTC).date().isoformat()
    return RedirectResponse(f"/admin/conversations?day={day}&done=deleted", status_code=303)
