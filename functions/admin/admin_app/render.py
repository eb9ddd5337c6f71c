"""Jinja2 pages (autoescaped: no stored or model text ever becomes HTML)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from admin_app.labels import ANSWER_SCORE_LABELS, REASON_LABELS, outcome_label
from admin_app.menu import menu_for
from admin_app.security import Principal, services
from pierre_rag.auth.access import StaffRole
from pierre_rag.landlords import DEFAULT_TIME_ZONE, LandlordError
from pierre_rag.money import USD_TO_EUR, euros

TEMPLATES = Path(__file__).parent / "templates"
ROLE_LABELS = {
    StaffRole.ADMINISTRATOR: "Administrateur",
    StaffRole.CONTRIBUTOR: "Contributeur",
    StaffRole.COLLABORATOR: "Collaborateur",
}


def _zone(context: Context) -> tzinfo:
    """The time zone of the page: its landlord's (render puts it in every page's context)."""
    zone = context.get("time_zone")
    return zone if isinstance(zone, tzinfo) else ZoneInfo(DEFAULT_TIME_ZONE)


@pass_context
def _datetime(context: Context, epoch_ms: int | None) -> str:
    if not epoch_ms:
        return ""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=_zone(context)).strftime("%d/%m/%Y %H:%M")


@pass_context
def _time(context: Context, epoch_ms: int | None) -> str:
    if not epoch_ms:
        return ""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=_zone(context)).strftime("%H:%M:%S")


def _number(value: float, digits: int = 0) -> str:
    text = f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


@pass_context
def _euros(context: Context, usd: float) -> str:
    """A cost stored in US dollars, shown in euros at the deployment's rate."""
    rate = context.get("usd_to_eur", USD_TO_EUR)
    return f"{_number(euros(usd, rate), 4)}\u00a0€"


ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters["datetime"] = _datetime
ENV.filters["time"] = _time
ENV.filters["number"] = _number
ENV.filters["euros"] = _euros
ENV.filters["outcome"] = outcome_label
ENV.globals["ROLE_LABELS"] = ROLE_LABELS
ENV.globals["ANSWER_SCORE_LABELS"] = ANSWER_SCORE_LABELS
ENV.globals["REASON_LABELS"] = REASON_LABELS


def page_context(request: Request, principal: Principal | None) -> dict[str, Any]:
    """What every page of a signed-in landlord shows its times and costs with."""
    if principal is None:
        return {}
    svc = services(request)
    try:
        zone: tzinfo = svc.landlords.get(principal.landlord).zone
    except LandlordError:  # a landlord file turned invalid: its staff still read their pages
        zone = ZoneInfo(DEFAULT_TIME_ZONE)
    return {"time_zone": zone, "usd_to_eur": svc.usd_to_eur}


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
        **page_context(request, principal),
        principal=principal,
        csrf=principal.session.csrf if principal else "",
        nav=nav,
        **context,
    )
    return HTMLResponse(body, status_code=status_code, headers=headers)
