"""The admin FastAPI app: routers, error pages, security headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from admin_app.deployment import KnowledgeNotDeployedError, not_deployed
from admin_app.render import render
from admin_app.routes import (
    auth,
    backlog,
    chat,
    controls,
    conversations,
    data_requests,
    health,
    history,
    knowledge,
    settings,
    sources,
    stats,
    users,
    validated,
)
from admin_app.security import (
    CsrfError,
    ForbiddenError,
    LoginRequiredError,
    PasswordChangeRequiredError,
)
from admin_app.services import Services
from pierre_rag.transport import HSTS, is_local_plain_http

STATIC = Path(__file__).parent / "static"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'none'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The editor's live preview and the transcripts run the chat's own Markdown renderer
# (/markdown.js, with editor.js or transcript.js), all from this origin: only those pages
# may run scripts.
SCRIPT_PAGES = re.compile(r"^/admin/(knowledge/edit|conversations/[A-Za-z0-9._:-]{1,128})$")
SCRIPT_CSP = CSP.replace("script-src 'none'", "script-src 'self'")
SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
REPLACED_HEADERS = {b"content-security-policy", *(name for name, _ in SECURITY_HEADERS)}


class SecurityHeaders:
    """Adds the security headers to every response, errors included (HSTS unless plain HTTP on
    the local machine); pages are not cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        static = path.startswith("/admin/static/")
        csp = SCRIPT_CSP if SCRIPT_PAGES.match(path) else CSP
        https = not is_local_plain_http(Headers(scope=scope))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in REPLACED_HEADERS
                ]
                headers.append((b"content-security-policy", csp.encode()))
                headers.extend(SECURITY_HEADERS)
                cache = b"public, max-age=3600" if static else b"no-store"
                headers.append((b"cache-control", cache))
                if https:
                    headers.append((b"strict-transport-security", HSTS.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _error(request: Request, status: int, title: str, message: str = "") -> Response:
    return render(request, "error.html", None, title=title, message=message, status_code=status)


def _handlers() -> dict[Any, Callable[..., Any]]:
    async def login_required(request: Request, _: Exception) -> Response:
        if request.method in ("GET", "HEAD"):
            return RedirectResponse("/admin/login", status_code=303)
        return _error(request, 401, "Session expirée", "Reconnectez-vous.")

    async def forbidden(request: Request, _: Exception) -> Response:
        return _error(request, 403, "Accès refusé", "Votre rôle ne donne pas accès à cette page.")

    async def password_pending(request: Request, _: Exception) -> Response:
        if request.method in ("GET", "HEAD"):
            return RedirectResponse("/admin/password", status_code=303)
        return _error(request, 403, "Changez d'abord votre mot de passe")

    async def csrf(request: Request, _: Exception) -> Response:
        return _error(
            request,
            403,
            "Jeton de sécurité invalide",
            "Le formulaire a expiré ou ne vient pas de cette application : rechargez la page.",
        )

    async def invalid(request: Request, _: Exception) -> Response:
        return _error(request, 400, "Requête invalide", "Un champ est manquant ou mal formé.")

    async def http_error(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, StarletteHTTPException) else 500
        titles = {404: "Page introuvable", 405: "Méthode non autorisée"}
        return _error(request, status, titles.get(status, "Erreur"))

    return {
        LoginRequiredError: login_required,
        ForbiddenError: forbidden,
        PasswordChangeRequiredError: password_pending,
        CsrfError: csrf,
        KnowledgeNotDeployedError: not_deployed,
        RequestValidationError: invalid,
        StarletteHTTPException: http_error,
    }


def create_app(services_factory: Callable[[], Services]) -> FastAPI:
    """The admin over ``services_factory()`` (``admin_wiring`` builds them once per container,
    tests pass their own)."""
    app = FastAPI(
        title="PIERRE admin",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        exception_handlers=_handlers(),
    )
    # Routes reach the services through app.state, never a closure: FastAPI caches facts about
    # each endpoint and dependency by identity, so a closure would keep every app it served.
    app.state.services = services_factory
    routers = (
        auth,
        users,
        conversations,
        validated,
        backlog,
        stats,
        knowledge,
        sources,
        history,
        controls,
        chat,
    )
    for module in (health, *routers, data_requests, settings):
        app.include_router(module.router)
    app.mount("/admin/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    return app
