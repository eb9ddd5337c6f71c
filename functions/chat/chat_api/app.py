"""The FastAPI application: routes, CORS limited to declared origins, security headers."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chat_api import articles
from chat_api.routes import router
from chat_api.services import ChatServices
from chat_api.web_security import JSON_CSP, same_origin
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.publishing.serving import ServingStatus
from pierre_rag.transport import HSTS, is_local_plain_http


class CorsAndSecurityHeaders:
    """CORS for the landlords' declared origins, and security headers on every response (HSTS
    unless plain HTTP on the local machine).

    A plain ASGI middleware: it only edits the response's start message, so the SSE body
    streams through untouched (``@app.middleware("http")`` would relay every chunk through
    a task and a memory stream).
    """

    def __init__(self, app: ASGIApp, services: Callable[[], ChatServices]) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        origin = request.headers.get("origin")
        cross_origin = bool(origin) and not same_origin(request, origin or "")
        https = not is_local_plain_http(request.headers)
        allowed = cross_origin and origin in self.services().allowed_origins()

        def add_headers(headers: MutableHeaders) -> None:
            if allowed and origin:
                headers["Access-Control-Allow-Origin"] = origin
                headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
                headers["Access-Control-Allow-Headers"] = "content-type, x-amz-content-sha256"
                headers["Access-Control-Max-Age"] = "600"
                headers["Vary"] = "Origin"
            headers.setdefault("Content-Security-Policy", JSON_CSP)
            headers["X-Content-Type-Options"] = "nosniff"
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
            if https:
                headers["Strict-Transport-Security"] = HSTS

        if request.method == "OPTIONS" and cross_origin:
            preflight = Response(status_code=204 if allowed else 403)
            add_headers(preflight.headers)
            await preflight(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _statuses(services: ChatServices) -> Mapping[str, ServingStatus]:
    return services.knowledge.statuses() if services.knowledge else {}


def create_app(
    services: Callable[[], ChatServices],
    landlords: Callable[[], LandlordRegistry] | None = None,
    knowledge: Callable[[], Mapping[str, ServingStatus]] | None = None,
) -> FastAPI:
    """The chat API over ``services`` (called per request: ``chat_wiring`` builds them once per
    container, tests pass their own). Health reports ``landlords`` (default: the services'),
    which the deployed app gets apart so health answers even when the datastore cannot open,
    and what serves each landlord (``knowledge``, default: the services' unless
    ``landlords`` is given)."""
    app = FastAPI(
        title="PIERRE chat API",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    app.state.landlords = landlords or (lambda: services().registry)
    # landlords given apart: health must not build the services for the knowledge either
    app.state.knowledge_statuses = knowledge or (
        (lambda: {}) if landlords else (lambda: _statuses(services()))
    )
    app.include_router(router)
    app.include_router(articles.router)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
            for e in error.errors()
        ]
        too_long = any(
            e["type"] == "string_too_long" and e["loc"][-1] == "text" for e in error.errors()
        )
        status = 413 if too_long else 422
        detail = "Message trop long." if too_long else "Requête invalide."
        return JSONResponse({"detail": detail, "problems": problems}, status_code=status)

    app.add_middleware(CorsAndSecurityHeaders, services=services)
    return app
