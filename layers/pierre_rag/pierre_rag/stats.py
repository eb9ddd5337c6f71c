"""Statistics of a landlord's conversations over a range of days.

Everything comes from the conversation META items — counts, channels, contexts, outcomes,
LLM errors and fallbacks (the turn signals of :mod:`pierre_rag.pipeline.signals`, which the
operations metrics count too), scores, tokens, cost, and the sources cited and latency of
every answer, which the store adds to META as answers are recorded: Queries on the
``by-tenant-day`` index (a landlord's day spans two UTC days, see :mod:`pierre_rag.local_days`),
no turn reads, whatever the number of conversations.

A question whose answer was never recorded (the turn failed with a 5xx, timed out, or its
answer could not be written) is an "error": META counts every stored turn (``turn_count``)
and every recorded answer (its outcome), so the questions left without an answer are the
difference. The latest one is still being answered while it is younger than
:data:`~pierre_rag.limits.ABANDONED_AFTER_MS`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta, tzinfo

from pierre_rag.conversations import ConversationMeta
from pierre_rag.evaluation.measures import percentile
from pierre_rag.limits import ABANDONED_AFTER_MS
from pierre_rag.local_days import metas_of_local_day
from pierre_rag.money import USD_TO_EUR, euros
from pierre_rag.storage.ports import ConversationRepository

MAX_DAYS = 92
OUTCOMES = ("answered", "off_topic", "abusive", "nothing_found", "handoff", "error")
THUMB_KEYS = ("up", "down", "none")


def day_range(start: date, end: date) -> list[str]:
    """Days from ``start`` to ``end`` inclusive (ISO), at most :data:`MAX_DAYS`."""
    if end < start:
        start, end = end, start
    count = min((end - start).days + 1, MAX_DAYS)
    return [(start + timedelta(days=offset)).isoformat() for offset in range(count)]


@dataclass
class StatsReport:
    days: list[str]
    per_day: dict[str, int]
    per_channel: Counter[str] = field(default_factory=Counter)
    per_context: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    # answers with each turn signal (pierre_rag.pipeline.signals: the metrics' definitions)
    signals: Counter[str] = field(default_factory=Counter)
    organisation_scores: Counter[str] = field(default_factory=Counter)
    customer_thumbs: Counter[str] = field(default_factory=Counter)
    per_day_channel: Counter[tuple[str, str]] = field(default_factory=Counter)
    tokens_per_day: dict[str, int] = field(default_factory=dict)
    cost_per_day: dict[str, float] = field(default_factory=dict)
    top_sources: list[tuple[str, int]] = field(default_factory=list)
    latency_median_ms: float | None = None
    latency_p95_ms: float | None = None
    conversations: int = 0

    @property
    def tokens(self) -> int:
        return sum(self.tokens_per_day.values())

    @property
    def cost_usd(self) -> float:
        return sum(self.cost_per_day.values())

    @property
    def answer_rate(self) -> float | None:
        total = sum(self.outcomes.values())
        return self.outcomes["answered"] / total if total else None

    def csv_rows(self, usd_to_eur: float = USD_TO_EUR) -> list[list[str]]:
        """One row per day, then totals: what the CSV export contains (costs in euros)."""
        header = [
            "jour",
            "conversations",
            "web",
            "sms",
            "jetons",
            "coût estimé (EUR)",
        ]
        rows = [header]
        for day in self.days:
            rows.append(
                [
                    day,
                    str(self.per_day.get(day, 0)),
                    str(self.per_day_channel.get((day, "web"), 0)),
                    str(self.per_day_channel.get((day, "sms"), 0)),
                    str(self.tokens_per_day.get(day, 0)),
                    f"{euros(self.cost_per_day.get(day, 0.0), usd_to_eur):.4f}",
                ]
            )
        rows.append(
            [
                "total",
                str(self.conversations),
                str(self.per_channel["web"]),
                str(self.per_channel["sms"]),
                str(self.tokens),
                f"{euros(self.cost_usd, usd_to_eur):.4f}",
            ]
        )
        return rows


def unanswered_questions(meta: ConversationMeta, now_ms: int | None = None) -> int:
    """Questions of the conversation no answer was recorded for, but for one that may still
    be being answered (its question is the latest write, less than the abandonment age ago;
    ``now_ms`` None: none is)."""
    answers = sum(meta.outcomes.values())
    unanswered = max(0, meta.turn_count - 2 * answers)
    if unanswered and now_ms is not None and now_ms - meta.last_ms < ABANDONED_AFTER_MS:
        unanswered -= 1
    return unanswered


def build_report(
    by_day: dict[str, list[ConversationMeta]], now_ms: int | None = None
) -> StatsReport:
    days = sorted(by_day)
    report = StatsReport(days=days, per_day={day: len(by_day[day]) for day in days})
    sources: Counter[str] = Counter()
    latencies: list[float] = []
    for day in days:
        tokens = 0
        cost = 0.0
        for meta in by_day[day]:
            report.conversations += 1
            report.per_channel[meta.channel] += 1
            report.per_day_channel[(day, meta.channel)] += 1
            report.per_context[meta.context] += 1
            for outcome, count in meta.outcomes.items():
                report.outcomes[outcome] += count
            report.signals.update(meta.signals)
            failed = unanswered_questions(meta, now_ms)
            if failed:
                report.outcomes["error"] += failed
            score = meta.organisation_score
            report.organisation_scores[str(score) if score is not None else "none"] += 1
            thumb = meta.customer_score
            report.customer_thumbs[
                "none" if thumb is None else ("up" if thumb > 0 else "down")
            ] += 1
            tokens += meta.tokens
            cost += meta.cost_usd
            sources.update(meta.source_uses)
            latencies.extend(meta.latencies_ms)
        report.tokens_per_day[day] = tokens
        report.cost_per_day[day] = cost
    report.top_sources = sources.most_common(10)
    if latencies:
        report.latency_median_ms = statistics.median(latencies)
        report.latency_p95_ms = percentile(latencies, 0.95)
    return report


def collect(
    store: ConversationRepository,
    landlord: str,
    days: list[str],
    *,
    now_ms: int | None = None,
    zone: tzinfo = UTC,
    workers: int = 8,
) -> StatsReport:
    """Query each day's META items (in parallel) and aggregate them (``now_ms``: see
    :func:`unanswered_questions`); days are those of ``zone`` (the landlord's)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        metas = list(pool.map(lambda day: metas_of_local_day(store, landlord, day, zone), days))
    return build_report(dict(zip(days, metas, strict=True)), now_ms)
