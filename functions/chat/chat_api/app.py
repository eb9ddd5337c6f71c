"""The FastAPI application: routes, CORS limited to declared origins, security headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from chat_api.routes import router
from chat_api.services import chat_services
from chat_api.web_security import JSON_CSP, same_origin


def create_app() -> FastAPI:
    app = FastAPI(
        title="PIERRE chat API",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.include_router(router)

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

    @app.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        origin = request.headers.get("origin")
        cross_origin = bool(origin) and not same_origin(request, origin or "")
        allowed = cross_origin and origin in chat_services().allowed_origins()
        if request.method == "OPTIONS" and cross_origin:
            response: Response = Response(status_code=204 if allowed else 403)
        else:
            response = await call_next(request)
        if allowed and origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "content-type"
            response.headers["Access-Control-Max-Age"] = "600"
            response.headers["Vary"] = "Origin"
        response.headers.setdefault("Content-Security-Policy", JSON_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        return response

    return app
