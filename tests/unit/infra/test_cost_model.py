"""infra/cost_model.py's arithmetic on a small case worked out by hand."""

from __future__ import annotations

import sys
from dataclasses import fields, replace
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO_ROOT / "infra"))

import cost_model  # noqa: E402
from cost_model import Channel, Prices, Usage  # noqa: E402

FREE = Prices(**{field.name: 0.0 for field in fields(Prices)})
PRICES = replace(
    FREE,
    usd_to_eur=0.5,
    lambda_gb_second_usd=1e-5,
    snapstart_cache_gb_second_usd=1e-9,
    sms_part_eur=0.1,
    llm_input_eur_per_million=1.0,
    llm_output_eur_per_million=2.0,
)
USAGE = replace(
    Usage(),
    turns_per_conversation=2,
    chat_memory_mb=2048,
    chat_turn_s=0.1,
    llm_turn_s=1.0,
    webhook_s=0.0,
    sms_worker_extra_s=0.0,
    cold_start_share=0.0,
    sms_parts_per_answer=3,
    llm_input_tokens=1000,
    llm_output_tokens=100,
)
FIXED = 2 * cost_model.SECONDS_PER_MONTH * 1e-9 * 0.5  # 2 GB snapshot cached all month


def test_web_without_an_llm_is_lambda_time_and_the_cached_snapshot():
    # 10 conversations × 2 turns × 0.1 s × 2 GB × 1e-5 $ × 0.5 €/$ = 2e-5 €
    row = cost_model.monthly(10, Channel.WEB, False, USAGE, PRICES)

    assert row.lines["Lambda"] == pytest.approx(2e-5)
    assert row.fixed == pytest.approx(FIXED)
    assert row.total == pytest.approx(2e-5 + FIXED)


def test_sms_with_an_llm_adds_the_parts_and_the_tokens():
    # per turn: 3 parts × 0.1 € ; tokens (1000 × 1 € + 100 × 2 €) / 1M ; 1 s × 2 GB × 1e-5 × 0.5
    row = cost_model.monthly(10, Channel.SMS, True, USAGE, PRICES)

    assert row.lines["SMS"] == pytest.approx(10 * 2 * 0.3)
    assert row.lines["LLM"] == pytest.approx(10 * 2 * 0.0012)
    assert row.lines["Lambda"] == pytest.approx(10 * 2 * 1e-5)
    assert row.total == pytest.approx(6.0 + 0.024 + 2e-4 + FIXED)


def test_the_table_has_a_row_per_volume_channel_and_llm_choice():
    table = cost_model.markdown_table(cost_model.rows([1_000, 10_000], USAGE, PRICES))

    lines = table.splitlines()
    assert len(lines) == 2 + 2 * 2 * 2
    assert lines[2].startswith("| 1,000 | web | no |")
    assert lines[-1].startswith("| 10,000 | SMS | yes |")


def test_monitoring_counts_each_metric_per_landlord_and_for_all_with_the_alarms():
    # 21 names × (2 landlords + all) × 0.30 $ + 3 alarms × 0.10 + 1 composite × 0.50 + 1 × 3 $
    prices = replace(
        FREE,
        usd_to_eur=0.5,
        custom_metric_month_usd=0.30,
        alarm_month_usd=0.10,
        composite_alarm_month_usd=0.50,
        dashboard_month_usd=3.00,
    )
    usage = replace(USAGE, landlords=2, metric_names=21, alarms=3, composite_alarms=1, dashboards=1)

    assert cost_model.fixed_monthly_eur(usage, prices) == pytest.approx(
        (63 * 0.30 + 0.30 + 0.50 + 3.00) * 0.5
    )


def test_the_template_declares_the_alarms_the_model_counts():
    counts = cost_model.monitoring_counts()

    assert counts["alarms"] >= 10
    assert counts["composite_alarms"] == 1 and counts["dashboards"] == 1
