"""Statistics over a range of days, as inline SVG charts and as CSV."""

from __future__ import annotations

from datetime import date, timedelta, tzinfo
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from admin_app.charts import Chart, column_chart, labelled_row_chart, row_chart
from admin_app.csv_export import csv_response
from admin_app.forms import RangeQuery
from admin_app.labels import OUTCOME_LABELS
from admin_app.render import render
from admin_app.security import Principal, ServicesDep, require
from admin_app.services import Services
from pierre_rag.auth.access import Capability
from pierre_rag.local_days import today
from pierre_rag.pipeline.signals import SIGNALS, Signal
from pierre_rag.stats import MAX_DAYS, OUTCOMES, StatsReport, collect, day_range

router = APIRouter()
StatsViewer = Annotated[Principal, Depends(require(Capability.VIEW_STATISTICS))]
DEFAULT_DAYS = 7
# The operations metrics count the same signals (pierre_rag.pipeline.signals)
SIGNAL_LABELS = {
    Signal.LLM_ERROR: "Erreurs du modèle de langue",
    Signal.LLM_FALLBACK: "Réponses sans le modèle (repli)",
    Signal.EXTRACTIVE_FALLBACK: "Réponses par extraits (repli)",
    Signal.VALIDATED_ANSWER: "Réponses validées servies",
}
SCORE_LABELS = {"0": "0 — faux", "1": "1", "2": "2", "3": "3 — parfait", "none": "Non noté"}
THUMB_LABELS = {"up": "Utile", "down": "Pas utile", "none": "Sans avis"}


def _range(query: RangeQuery, current: date) -> tuple[date, date]:
    """The days asked for, by default the last week up to ``current`` (the landlord's today)."""
    try:
        end = date.fromisoformat(query.end) if query.end else current
        start = (
            date.fromisoformat(query.start)
            if query.start
            else end - timedelta(days=DEFAULT_DAYS - 1)
        )
    except ValueError:
        end, start = current, current - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        start, end = end, start
    if (end - start).days >= MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
    return start, end


def _now_ms(svc: Services) -> int:
    return int(svc.clock() * 1000)


def _report(
    svc: Services, principal: Principal, query: RangeQuery
) -> tuple[date, date, StatsReport]:
    """The report of the days asked for, days being the landlord's (its time zone)."""
    zone: tzinfo = svc.landlords.get(principal.landlord).zone
    start, end = _range(query, date.fromisoformat(today(svc.clock(), zone)))
    report = collect(
        svc.conversations,
        principal.landlord,
        day_range(start, end),
        now_ms=_now_ms(svc),
        zone=zone,
    )
    return start, end, report


def charts(report: StatsReport) -> list[Chart]:
    return [
        column_chart(
            "Conversations par jour", [(day[5:], report.per_day[day]) for day in report.days]
        ),
        row_chart(
            "Par canal", [("Web", report.per_channel["web"]), ("SMS", report.per_channel["sms"])]
        ),
        row_chart("Par contexte", sorted(report.per_context.items())),
        row_chart(
            "Résultat des réponses",
            [(OUTCOME_LABELS[key], report.outcomes[key]) for key in OUTCOMES],
        ),
        row_chart(
            "Erreurs et replis",
            [(OUTCOME_LABELS["error"], report.outcomes["error"])]
            + [(SIGNAL_LABELS[signal], report.signals[signal.value]) for signal in SIGNALS],
        ),
        row_chart(
            "Notes de l'organisation",
            [(label, report.organisation_scores[key]) for key, label in SCORE_LABELS.items()],
        ),
        row_chart(
            "Avis des usagers",
            [(label, report.customer_thumbs[key]) for key, label in THUMB_LABELS.items()],
        ),
        labelled_row_chart("Sources les plus citées", report.top_sources),
        column_chart(
            "Jetons par jour", [(day[5:], report.tokens_per_day[day]) for day in report.days]
        ),
    ]


@router.get("/admin/stats")
def stats_page(
    request: Request,
    principal: StatsViewer,
    svc: ServicesDep,
    query: Annotated[RangeQuery, Query()],
) -> Response:
    start, end, report = _report(svc, principal, query)
    return render(
        request,
        "stats.html",
        principal,
        start=start.isoformat(),
        end=end.isoformat(),
        report=report,
        charts=charts(report),
        max_days=MAX_DAYS,
    )


@router.get("/admin/stats.csv")
def stats_csv(
    principal: StatsViewer, svc: ServicesDep, query: Annotated[RangeQuery, Query()]
) -> Response:
    start, end, report = _report(svc, principal, query)
    rows: list[list[object]] = [list(row) for row in report.csv_rows(svc.usd_to_eur)]
    rows.append([])
    rows.append(["résultat", "nombre"])
    rows.extend([OUTCOME_LABELS[key], report.outcomes[key]] for key in OUTCOMES)
    rows.extend([SIGNAL_LABELS[signal], report.signals[signal.value]] for signal in SIGNALS)
    rows.append([])
    rows.append(["source", "citations"])
    rows.extend([name, count] for name, count in report.top_sources)
    return csv_response(rows, f"statistiques-{start.isoformat()}-{end.isoformat()}.csv")
