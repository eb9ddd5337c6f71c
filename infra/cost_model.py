"""A monthly cost model of one PIERRE stack: 1,000 / 10,000 / 100,000 conversations a month,
on the web and by SMS, with and without an LLM; prints a Markdown table (README, "Cost").

Usage: ``.venv/bin/python infra/cost_model.py`` (``--turns 3``, ``--llm-seconds 2.5``...).

Two kinds of inputs, both written below so that a reader can check and change them:

- **usage per turn**, from this project's measurements (README, Benchmarks) and its code: the
  functions' memory sizes in ``template.yaml``; a chat turn's duration on the local stack; the
  DynamoDB writes of a turn (ADR 0002: one transaction for the user turn and the rate-limit
  counters, two plain writes for the answer, the ``by-tenant-day`` index on META); SMS parts
  per extractive answer (``pierre eval answers``). What was not measured here — the LLM's
  tokens and latency (no key on the build machine) — is an estimate, named as such;
- **public unit prices** as the author knew them on :data:`PRICES_DATE` (list prices, free
  tiers left out, no network to re-check them here): AWS in eu-west-3 (Paris) in US dollars,
  converted at :data:`Prices.usd_to_eur`; CM.com's SMS to France and an EU-hosted LLM in euros.
  Check them against the providers' pages before quoting a figure to anyone.

Left out: the CM.com number's monthly rental and any inbound fee, VAT, support plans, data
transfer between regions (none: one region), knowledge builds (a few per landlord a month:
seconds of a 2 GB function) and the admin's own traffic (staff, not visitors).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "layers" / "pierre_rag"))

from pierre_rag.metrics import Metric  # noqa: E402
from pierre_rag.settings import Settings  # noqa: E402

TEMPLATE = REPO / "template.yaml"
USD_TO_EUR: float = Settings.model_fields["usd_to_eur"].default  # one rate with the metrics

PRICES_DATE = "2026-11-30"
MB_PER_GB = 1024
MILLION = 1_000_000
SECONDS_PER_MONTH = 30 * 24 * 3600


class Channel(StrEnum):
    WEB = "web"
    SMS = "SMS"


@dataclass(frozen=True)
class Prices:
    """Unit prices (see the module docstring for their source and date)."""

    usd_to_eur: float = USD_TO_EUR
    # AWS Lambda, eu-west-3, arm64 (template Architecture default)
    lambda_gb_second_usd: float = 0.0000133334
    lambda_request_usd: float = 0.20 / MILLION
    # SnapStart (Python): snapshot cache per GB-second of the live version, restore per GB
    snapstart_cache_gb_second_usd: float = 0.0000015046
    snapstart_restore_gb_usd: float = 0.0001397998
    # DynamoDB on-demand, eu-west-3 (after the November 2024 price cut)
    dynamodb_write_unit_usd: float = 0.7425 / MILLION
    dynamodb_read_unit_usd: float = 0.1485 / MILLION
    # SQS standard requests (the SMS queue)
    sqs_request_usd: float = 0.40 / MILLION
    # CloudFront, Europe: data out per GB, HTTPS requests
    cloudfront_gb_usd: float = 0.085
    cloudfront_request_usd: float = 0.0120 / 10_000
    # S3 GET (CloudFront's cache misses on web/: one in ten requests, at most)
    s3_get_usd: float = 0.00042 / 1000
    # CloudWatch Logs ingestion
    logs_gb_usd: float = 0.53
    # CloudWatch: a custom metric (name × dimensions with data in the month, first 10,000), a
    # standard alarm, a composite alarm and a dashboard (beyond the 3 free), per month
    custom_metric_month_usd: float = 0.30
    alarm_month_usd: float = 0.10
    composite_alarm_month_usd: float = 0.50
    dashboard_month_usd: float = 3.00
    # CM.com, one SMS part to a French mobile (business messaging list price)
    sms_part_eur: float = 0.075
    # An EU-hosted OpenAI-compatible model (Mistral Small class) per 1M tokens
    llm_input_eur_per_million: float = 0.10
    llm_output_eur_per_million: float = 0.30


@dataclass(frozen=True)
class Usage:
    """What one conversation uses; measured unless the comment says estimated."""

    turns_per_conversation: float = 3.0  # estimated: a question and two follow-ups
    chat_memory_mb: int = 1024  # template.yaml Globals (chat and SMS worker)
    webhook_memory_mb: int = 512  # template.yaml SmsWebhookFunction
    # chat turn, extractive, Lambda-event path: p50 41 ms (README, Benchmarks); rounded up
    chat_turn_s: float = 0.05
    # with an LLM the function waits for it (≤ 2 round trips per turn); estimated
    llm_turn_s: float = 2.5
    # SMS worker: the pipeline plus CM.com's send API call; estimated (send not measured)
    sms_worker_extra_s: float = 0.25
    webhook_s: float = 0.017  # SMS webhook ack p50 16.5 ms (README, Benchmarks)
    cold_start_share: float = 0.05  # estimated: one turn in 20 restores a SnapStart snapshot
    dynamodb_writes_per_turn: float = 12  # ADR 0002: 2 × (user turn, META, 2 counters) + 2 + GSI 2
    dynamodb_reads_per_turn: float = 4  # history Query, counters, live-datastore pointer
    sms_extra_writes: float = 3  # idempotency record (put + complete) and the hourly quota
    sqs_requests_per_sms: float = 3  # send, receive, delete
    sms_parts_per_answer: float = 3  # pierre eval answers: 3 / 3 / 3 parts (README)
    page_kb: float = 30  # web/ chat page, scripts and styles, once per conversation
    page_requests: float = 8
    turn_kb: float = 4  # one answer streamed as server-sent events
    log_kb_per_turn: float = 2  # the answer line and Lambda's START/END/REPORT
    llm_input_tokens: float = 3100  # estimated: understanding ~600 + answer prompt ~2,500
    llm_output_tokens: float = 400  # understanding ≤ 139 (bench_pipeline) + answer ~260
    landlords: int = 1  # landlords served by the stack
    metric_names: int = len(Metric)  # pierre_rag.metrics: each reported per landlord and for all
    alarms: int = 0  # template.yaml's, counted by monitoring_counts()
    composite_alarms: int = 0
    dashboards: int = 0


def lambda_eur(seconds: float, memory_mb: int, prices: Prices) -> float:
    gb_seconds = seconds * memory_mb / MB_PER_GB
    usd = gb_seconds * prices.lambda_gb_second_usd + prices.lambda_request_usd
    return usd * prices.usd_to_eur


def per_turn_eur(
    channel: Channel, with_llm: bool, usage: Usage, prices: Prices
) -> dict[str, float]:
    """One turn's cost by line (euros)."""
    fx = prices.usd_to_eur
    seconds = usage.llm_turn_s if with_llm else usage.chat_turn_s
    restore = usage.cold_start_share * usage.chat_memory_mb / MB_PER_GB
    lines = {
        "Lambda": lambda_eur(seconds, usage.chat_memory_mb, prices)
        + restore * prices.snapstart_restore_gb_usd * fx,
        "DynamoDB": (
            usage.dynamodb_writes_per_turn * prices.dynamodb_write_unit_usd
            + usage.dynamodb_reads_per_turn * prices.dynamodb_read_unit_usd
        )
        * fx,
        "logs": usage.log_kb_per_turn / MB_PER_GB**2 * prices.logs_gb_usd * fx,
    }
    if channel is Channel.SMS:
        lines["Lambda"] += lambda_eur(usage.webhook_s, usage.webhook_memory_mb, prices)
        # the worker runs the turn (counted above) and then calls CM.com's send API
        lines["Lambda"] += lambda_eur(usage.sms_worker_extra_s, usage.chat_memory_mb, prices)
        lines["DynamoDB"] += usage.sms_extra_writes * prices.dynamodb_write_unit_usd * fx
        lines["SQS"] = usage.sqs_requests_per_sms * prices.sqs_request_usd * fx
        lines["SMS"] = usage.sms_parts_per_answer * prices.sms_part_eur
    else:
        lines["CloudFront + S3"] = (
            usage.turn_kb / MB_PER_GB**2 * prices.cloudfront_gb_usd + prices.cloudfront_request_usd
        ) * fx
    if with_llm:
        lines["LLM"] = (
            usage.llm_input_tokens * prices.llm_input_eur_per_million
            + usage.llm_output_tokens * prices.llm_output_eur_per_million
        ) / MILLION
    return lines


def per_conversation_eur(
    channel: Channel, with_llm: bool, usage: Usage, prices: Prices
) -> dict[str, float]:
    """One conversation's cost by line (euros): its turns, and the web page loaded once."""
    lines = {
        name: cost * usage.turns_per_conversation
        for name, cost in per_turn_eur(channel, with_llm, usage, prices).items()
    }
    if channel is Channel.WEB:
        page = (
            usage.page_kb / MB_PER_GB**2 * prices.cloudfront_gb_usd
            + usage.page_requests * prices.cloudfront_request_usd
            + usage.page_requests / 10 * prices.s3_get_usd
        )
        lines["CloudFront + S3"] += page * prices.usd_to_eur
    return lines


def monitoring_counts(template: Path = TEMPLATE) -> dict[str, int]:
    """The alarms, composite alarms and dashboards ``template`` declares."""
    text = template.read_text(encoding="utf-8")
    return {
        field: len(re.findall(rf"^\s+Type: AWS::CloudWatch::{kind}\s*$", text, re.MULTILINE))
        for field, kind in (
            ("alarms", "Alarm"),
            ("composite_alarms", "CompositeAlarm"),
            ("dashboards", "Dashboard"),
        )
    }


def fixed_monthly_eur(usage: Usage, prices: Prices) -> float:
    """What the stack costs with no traffic: the chat's SnapStart snapshot kept cached, and
    the monitoring (every metric counted as reported in the month: an upper bound)."""
    gb = usage.chat_memory_mb / MB_PER_GB
    snapshot = gb * SECONDS_PER_MONTH * prices.snapstart_cache_gb_second_usd
    series = usage.metric_names * (usage.landlords + 1)  # per landlord, and all landlords
    monitoring = (
        series * prices.custom_metric_month_usd
        + usage.alarms * prices.alarm_month_usd
        + usage.composite_alarms * prices.composite_alarm_month_usd
        + usage.dashboards * prices.dashboard_month_usd
    )
    return (snapshot + monitoring) * prices.usd_to_eur


@dataclass(frozen=True)
class Row:
    conversations: int
    channel: Channel
    with_llm: bool
    lines: dict[str, float]
    fixed: float

    @property
    def total(self) -> float:
        return sum(self.lines.values()) + self.fixed


def monthly(
    conversations: int, channel: Channel, with_llm: bool, usage: Usage, prices: Prices
) -> Row:
    per_conversation = per_conversation_eur(channel, with_llm, usage, prices)
    lines = {name: cost * conversations for name, cost in per_conversation.items()}
    return Row(conversations, channel, with_llm, lines, fixed_monthly_eur(usage, prices))


def rows(volumes: Sequence[int], usage: Usage, prices: Prices) -> list[Row]:
    return [
        monthly(volume, channel, with_llm, usage, prices)
        for volume in volumes
        for channel in Channel
        for with_llm in (False, True)
    ]


def euros(value: float) -> str:
    return f"{value:,.2f} €" if value < 1000 else f"{value:,.0f} €"


def markdown_table(table: Sequence[Row]) -> str:
    head = [
        "| conversations / month | channel | LLM | AWS | SMS | LLM tokens | total / month |"
        " per conversation |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    body = []
    for row in table:
        sms = row.lines.get("SMS", 0.0)
        llm = row.lines.get("LLM", 0.0)
        aws = row.total - sms - llm
        body.append(
            f"| {row.conversations:,} | {row.channel} | {'yes' if row.with_llm else 'no'} "
            f"| {euros(aws)} | {euros(sms)} | {euros(llm)} | **{euros(row.total)}** "
            f"| {row.total / row.conversations:.4f} € |"
        )
    return "\n".join([*head, *body])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--volumes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--turns", type=float, default=Usage.turns_per_conversation)
    parser.add_argument("--llm-seconds", type=float, default=Usage.llm_turn_s)
    parser.add_argument("--sms-parts", type=float, default=Usage.sms_parts_per_answer)
    parser.add_argument("--landlords", type=int, default=Usage.landlords)
    args = parser.parse_args(argv)
    usage = replace(
        Usage(),
        turns_per_conversation=args.turns,
        llm_turn_s=args.llm_seconds,
        sms_parts_per_answer=args.sms_parts,
        landlords=args.landlords,
        **monitoring_counts(),
    )
    print(f"Monthly cost, eu-west-3, unit prices of {PRICES_DATE} (infra/cost_model.py)\n")
    print(markdown_table(rows(args.volumes, usage, Prices())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
