"""The chat API routes. Thin: validation, access checks, rate limits, then the pipeline."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from chat_api.accessibility import automated_audit
from chat_api.models import (
    OLD_LANDLORD_FIELD,
    ChatConfigOut,
    ErrorOut,
    FeedbackIn,
    HandoffOut,
    HistoryOut,
    MessageIn,
    SourceOut,
    TurnOut,
    WidgetOriginOut,
)
from chat_api.services import ChatServices, current_services, knowledge_statuses, served_landlords
from chat_api.sse import encode, frame
from chat_api.web_security import client_ip, page_csp, same_origin, widget_may_open
from pierre_rag.auth.principal import staff_principal
from pierre_rag.auth.sessions import COOKIE_NAME
from pierre_rag.conversations import ConversationMismatchError, GuardRefusedError
from pierre_rag.landlords import (
    ContextConfig,
    InvalidLandlordError,
    LandlordConfig,
    LandlordError,
    LandlordRegistry,
)
from pierre_rag.pipeline import (
    MessageInProgressError,
    PipelineEvent,
    ProtectedContextError,
    TurnRequest,
)
from pierre_rag.publishing.serving import ServingStatus
from pierre_rag.ratelimit import Verdict

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api")
ChatServicesDep = Annotated[ChatServices, Depends(current_services)]
PAGES = Environment(  # the chat page, the statement and the articles (chat_api.articles)
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (401, 403, 404, 409, 413, 422, 429, 503)
}
# An HTML route's errors are JSON too; with ``model`` FastAPI would document them as text/html.
HTML_ROUTE_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {
        "description": "Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }
    for code in (404, 422)
}


# The routes' first prefix, still served (hidden from the schema) for pages and widgets
# loaded before the rename.
OLD_PATHS = "/tenants"  # compat: old name

# The chat page's own texts come in the languages answers are written in (web/chat-texts.json
# has each of them); the selector names each in itself, French first (the default).
CHAT_LANGUAGES = (
    ("fr", "Français"),
    ("en", "English"),
    ("es", "Español"),
    ("pt", "Português"),
    ("ar", "العربية"),
    ("tr", "Türkçe"),
    ("de", "Deutsch"),
    ("it", "Italiano"),
)

UNAVAILABLE_LANDLORD = (
    "Ce bailleur est momentanément indisponible : sa configuration doit être corrigée."
)


def _resolve(
    services: ChatServices, landlord_id: str, context: str
) -> tuple[LandlordConfig, ContextConfig]:
    try:
        landlord = services.registry.get(landlord_id)
        return landlord, landlord.context(context)
    except InvalidLandlordError as error:
        raise HTTPException(503, UNAVAILABLE_LANDLORD) from error
    except LandlordError as error:
        raise HTTPException(404, "Bailleur ou contexte inconnu.") from error


def _is_staff(services: ChatServices, request: Request, landlord: LandlordConfig) -> bool:
    """A staff session of this landlord whose account still allows the protected contexts
    (the same check as the admin's: logged out, deleted, demoted or re-passworded is out)."""
    principal = staff_principal(
        request.cookies.get(COOKIE_NAME),
        codec=services.sessions,
        users=services.users,
        landlords=services.registry.ids,
        landlord=landlord.id,
    )
    return principal is not None and principal.may_chat_in_protected_context(landlord.id)


def _check_access(
    services: ChatServices, request: Request, landlord: LandlordConfig, context: ContextConfig
) -> bool:
    origin = request.headers.get("origin")
    if (
        origin
        and not same_origin(request, origin)
        and origin not in landlord.widget.allowed_origins
    ):
        raise HTTPException(403, "Origine non autorisée pour ce bailleur.")
    staff = _is_staff(services, request, landlord)
    if context.protected and not staff:
        raise HTTPException(401, "Cet espace est réservé au personnel : connectez-vous.")
    return staff


@router.get("/health", summary="Liveness of the chat function and the landlords it serves")
def health(
    landlords: Annotated[LandlordRegistry, Depends(served_landlords)],
    knowledge: Annotated[Mapping[str, ServingStatus], Depends(knowledge_statuses)],
) -> dict[str, Any]:
    from pierre_rag.health import health_payload

    return health_payload("chat", landlords, knowledge)


@router.get(
    "/landlords/{landlord}/contexts/{context}/config",
    response_model=ChatConfigOut,
    responses=ERRORS,
    summary="What the chat page shows: greeting, examples, branding, protection",
)
@router.get(OLD_PATHS + "/{landlord}/contexts/{context}/config", include_in_schema=False)
def chat_config(
    landlord: str, context: str, request: Request, services: ChatServicesDep
) -> ChatConfigOut:
    config, ctx = _resolve(services, landlord, context)
    staff = _is_staff(services, request, config)
    # An anonymous page of a staff context learns only that it is reserved: the greeting,
    # examples and contacts (internal phone numbers) are for staff.
    disclose = staff or not ctx.protected
    handoff = HandoffOut(**ctx.handoff.model_dump()) if ctx.handoff and disclose else None
    return ChatConfigOut(
        landlord=config.id,
        name=config.name,
        context=context,
        greeting=ctx.greeting if disclose else "",
        examples=ctx.examples if disclose else [],
        primary_color=config.branding.primary_color,
        logo_url=config.branding.logo_url,
        protected=ctx.protected,
        authenticated=staff,
        show_sources=ctx.show_sources,
        handoff=handoff,
    )


@router.post(
    "/conversations/{conversation_id}/messages",
    responses={
        **ERRORS,
        200: {"content": {"text/event-stream": {}}, "description": "delta/sources/done events"},
    },
    summary="Ask a question; the answer comes as server-sent events",
)
async def post_message(
    conversation_id: UUID, body: MessageIn, request: Request, services: ChatServicesDep
) -> StreamingResponse:
    landlord, context = _resolve(services, body.landlord, body.context)
    staff = _check_access(services, request, landlord, context)
    limits = services.limiter.guard(
        [
            (services.limits.per_ip, client_ip(request, services.client_ip)),
            (services.limits.per_conversation, str(conversation_id)),
        ]
    )
    turn = TurnRequest(
        landlord=landlord.id,
        context=body.context,
        channel="web",
        conversation_id=str(conversation_id),
        message_id=str(body.message_id),
        text=body.text,
        staff=staff,
    )
    events = services.pipeline.stream(turn, guard=limits)
    try:
        first = await anext(events)
    except GuardRefusedError as refused:
        retry_after = refused.reason.retry_after_s if isinstance(refused.reason, Verdict) else 60
        raise HTTPException(
            429,
            "Trop de messages en peu de temps. Réessayez dans quelques instants.",
            headers={"Retry-After": str(retry_after)},
        ) from refused
    except MessageInProgressError as error:
        raise HTTPException(409, "Ce message est déjà en cours de traitement.") from error
    except ConversationMismatchError as error:
        raise HTTPException(404, "Conversation inconnue pour ce bailleur.") from error
    except ProtectedContextError as error:
        raise HTTPException(401, "Cet espace est réservé au personnel.") from error
    return StreamingResponse(
        _frames(first, events, context.show_sources, landlord.id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _frames(
    first: PipelineEvent, rest: AsyncIterator[PipelineEvent], show_sources: bool, landlord: str
) -> AsyncIterator[bytes]:
    _log_answer(first, landlord)
    yield encode(first, show_sources)
    try:
        async for event in rest:
            _log_answer(event, landlord)
            yield encode(event, show_sources)
    except Exception:
        logger.exception("the answer failed after it started streaming")
        yield frame("error", {"message": "Désolé, une erreur est survenue. Réessayez."})


def _log_answer(event: PipelineEvent, landlord: str) -> None:
    """One line per answer for the dashboards: what happened, never what was said."""
    if event.type != "done" or event.result is None:
        return
    result = event.result
    logger.info(
        "chat answer sent",
        extra={
            "landlord": landlord,
            "outcome": result.outcome.value,
            "mode": result.mode,
            "language": result.language,
            "sources": len(result.sources),
            "replayed": result.replayed,
            "emergencies": result.emergencies,  # intents of the emergency block, if any
            "total_ms": round(result.timings.total_ms, 1),
            "llm_ms": round(result.timings.llm_ms, 1),
        },
    )


@router.get(
    "/conversations/{conversation_id}",
    response_model=HistoryOut,
    responses=ERRORS,
    summary="A conversation's turns (to restore the page after a reload)",
)
def history(
    conversation_id: UUID,
    request: Request,
    services: ChatServicesDep,
    landlord: str = "",
    context: str = "default",
    old_landlord: Annotated[str, Query(alias=OLD_LANDLORD_FIELD, include_in_schema=False)] = "",
) -> HistoryOut:
    if not (landlord or old_landlord):
        raise HTTPException(422, "Le paramètre landlord est requis.")
    config, ctx = _resolve(services, landlord or old_landlord, context)
    _check_access(services, request, config, ctx)
    meta = services.store.get_meta(str(conversation_id))
    if meta is None:
        return HistoryOut(conversation_id=conversation_id, turns=[])
    if (meta.landlord, meta.context) != (config.id, context):
        raise HTTPException(404, "Conversation inconnue pour ce bailleur.")
    turns = [
        TurnOut(
            role=turn.role,
            content=turn.content,
            created_ms=turn.created_ms,
            message_id=turn.message_id,
            outcome=turn.outcome,
            sources=[SourceOut.model_validate(s) for s in turn.sources] if ctx.show_sources else [],
        )
        for turn in services.store.all_turns(str(conversation_id))
    ]
    rating = {1: "up", -1: "down"}.get(meta.customer_score or 0)
    return HistoryOut(conversation_id=conversation_id, turns=turns, feedback=rating)  # type: ignore[arg-type]


@router.post(
    "/conversations/{conversation_id}/feedback",
    status_code=204,
    responses=ERRORS,
    summary="Thumbs up/down and an optional comment on a conversation (customer score)",
)
def feedback(
    conversation_id: UUID, body: FeedbackIn, request: Request, services: ChatServicesDep
) -> Response:
    config, ctx = _resolve(services, body.landlord, body.context)
    _check_access(services, request, config, ctx)
    _limit_feedback(services, client_ip(request, services.client_ip), str(conversation_id))
    meta = services.store.get_meta(str(conversation_id))
    if meta is None or (meta.landlord, meta.context) != (config.id, body.context):
        raise HTTPException(404, "Conversation inconnue pour ce bailleur.")
    services.store.set_customer_score(
        str(conversation_id), 1 if body.rating == "up" else -1, body.comment
    )
    return Response(status_code=204)


def _limit_feedback(services: ChatServices, ip: str, conversation_id: str) -> None:
    """429 before anything is read or written. Plain counter updates, not a transaction: a
    refused request has nothing to roll back, and concurrent ones cannot conflict."""
    checks = (
        (services.limits.feedback_per_ip, ip),
        (services.limits.feedback_per_conversation, conversation_id),
    )
    for limit, key in checks:
        verdict = services.limiter.hit(limit, key)
        if not verdict.allowed:
            raise HTTPException(
                429,
                "Trop d'avis en peu de temps. Réessayez dans quelques instants.",
                headers={"Retry-After": str(verdict.retry_after_s)},
            )


@router.get(
    "/embed/{landlord}/{context}",
    response_class=HTMLResponse,
    responses=HTML_ROUTE_ERRORS,
    summary="The chat page for a landlord's context (what the widget's iframe opens)",
)
def embed_page(landlord: str, context: str, services: ChatServicesDep) -> HTMLResponse:
    config, _ = _resolve(services, landlord, context)
    html = PAGES.get_template("chat.html").render(
        landlord=config.id,
        context=context,
        name=config.name,
        color=config.branding.primary_color,
        logo_url=config.branding.logo_url,
        languages=CHAT_LANGUAGES,
    )
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": page_csp(config.widget.allowed_origins),
            "Cache-Control": "no-cache",
        },
    )


@router.get(
    "/accessibilite/{landlord}",
    response_class=HTMLResponse,
    responses=HTML_ROUTE_ERRORS,
    summary="The landlord's accessibility statement (RGAA model, partially conformant)",
)
def accessibility_statement(landlord: str, services: ChatServicesDep) -> HTMLResponse:
    config, context = _resolve(services, landlord, "default")
    html = PAGES.get_template("accessibility.html").render(
        name=config.name,
        audit=automated_audit(),
        contact=config.accessibility,
        handoff=context.handoff.as_text() if context.handoff else None,
    )
    return HTMLResponse(
        html,
        headers={"Content-Security-Policy": page_csp(()), "Cache-Control": "no-cache"},
    )


@router.get(
    "/landlords/{landlord}/widget-origin",
    response_model=WidgetOriginOut,
    responses=ERRORS,
    summary="Whether the widget may open on the asking page's origin (read by any site)",
)
def widget_origin(
    landlord: str, request: Request, response: Response, services: ChatServicesDep
) -> WidgetOriginOut:
    config, _ = _resolve(services, landlord, "default")
    origin = request.headers.get("origin")
    # any site may ask: the answer is what the chat page's frame-ancestors already publish
    response.headers["Access-Control-Allow-Origin"] = "*"
    return WidgetOriginOut(
        origin=origin, allowed=widget_may_open(request, origin, config.widget.allowed_origins)
    )


@router.get(OLD_PATHS + "/{landlord}/manifest.webmanifest", include_in_schema=False)
@router.get(
    "/landlords/{landlord}/manifest.webmanifest",
    responses={
        **ERRORS,
        200: {
            "description": "Web app manifest",
            "content": {"application/manifest+json": {"schema": {"type": "object"}}},
        },
    },
    summary="PWA manifest of a landlord's chat",
)
def manifest(landlord: str, services: ChatServicesDep) -> JSONResponse:
    config, _ = _resolve(services, landlord, "default")
    icons = [{"src": config.branding.logo_url, "sizes": "any"}] if config.branding.logo_url else []
    return JSONResponse(
        {
            "name": f"{config.name} — assistant",
            "short_name": config.name[:12],
            "start_url": f"/api/embed/{config.id}/default",
            "display": "standalone",
            "lang": "fr",
            "theme_color": config.branding.primary_color,
            "background_color": "#ffffff",
            "icons": icons,
        },
        media_type="application/manifest+json",
    )
