"""Jinja2 pages (autoescaped: no stored or model text ever becomes HTML)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from admin_app.menu import menu_for
from admin_app.security import Principal
from pierre_rag.auth.access import StaffRole

TEMPLATES = Path(__file__).parent / "templates"
ROLE_LABELS = {
    StaffRole.ADMINISTRATOR: "Administrateur",
    StaffRole.CONTRIBUTOR: "Contributeur",
    StaffRole.COLLABORATOR: "Collaborateur",
}


def _datetime(epoch_ms: int | None) -> str:
    if not epoch_ms:
        return ""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%d/%m/%Y %H:%M UTC")


def _time(epoch_ms: int | None) -> str:
    if not epoch_ms:
        return ""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%H:%M:%S")


def _number(value: float, digits: int = 0) -> str:
    text = f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters["datetime"] = _datetime
ENV.filters["time"] = _time
ENV.filters["number"] = _number
ENV.globals["ROLE_LABELS"] = ROLE_LABELS


def render(
    request: Request,
    template: str,
    principal: Principal | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    entries = menu_for(principal.role) if principal is not None else []
    nav = [(entry.href, entry.label, request.url.path.startswith(entry.href)) for entry in entries]
    body = ENV.get_template(template).render(
        principal=principal,
        csrf=principal.session.csrf if principal else "",
        nav=nav,
        **context,
    )
    return HTMLResponse(body, status_code=status_code, headers=headers)
