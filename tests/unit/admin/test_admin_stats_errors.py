"""The statistics count a question left without an answer (a failed turn) as "Erreur"."""

from __future__ import annotations

import csv
import io

from admin_app.routes.stats import SIGNAL_LABELS

from pierre_rag.auth.access import StaffRole
from pierre_rag.conversations import Turn
from pierre_rag.limits import ABANDONED_AFTER_MS
from pierre_rag.pipeline.signals import SIGNALS
from tests.unit.admin.harness import LANDLORD

T0 = 1_795_600_000_000  # 2026-11-25


def _outcome_rows(admin) -> dict[str, str]:
    text = admin.client.get("/admin/stats.csv?start=2026-11-25&end=2026-11-25").text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    return {row[0]: row[1] for row in rows if len(row) == 2}


def test_a_question_whose_turn_failed_is_an_error_in_the_statistics(admin):
    # Given one answered conversation and one whose turn failed after storing the question
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("answered", created_ms=T0)
    admin.conversations.record_user_turn(
        "failed",
        Turn("user", "Quel est le préavis ?", "failed-q", T0 + 1000),
        landlord=LANDLORD,
        context="default",
        channel="web",
        retention_days=30,
    )

    # when staff read the statistics while the failed question may still be answered,
    admin.clock.now = (T0 + 1000 + 5_000) / 1000
    in_progress = _outcome_rows(admin)
    # and once no request can still be answering it
    admin.clock.now = (T0 + 1000 + ABANDONED_AFTER_MS + 1) / 1000
    later = _outcome_rows(admin)

    # then it is not an error while in progress, and an "Erreur" afterwards
    assert (in_progress["Répondu"], in_progress["Erreur"]) == ("1", "0")
    assert (later["Répondu"], later["Erreur"]) == ("1", "1")
    html = admin.client.get("/admin/stats?start=2026-11-25&end=2026-11-25").text
    assert "50 %" in html  # 1 of 2 questions answered


def test_the_statistics_show_the_llm_errors_and_fallbacks_of_the_answers(admin):
    # Given an answer whose generation failed (answered from excerpts) and a normal one
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    fallback = [signal.value for signal in SIGNALS]
    admin.seed_conversation("fell-back", created_ms=T0, signals=fallback)
    admin.seed_conversation("fine", created_ms=T0 + 10)
    admin.clock.now = (T0 + ABANDONED_AFTER_MS + 1) / 1000

    # When staff read the statistics
    rows = _outcome_rows(admin)
    html = admin.client.get("/admin/stats?start=2026-11-25&end=2026-11-25").text

    # Then each signal counts the one answer that had it, in the CSV and on the page
    for signal in SIGNALS:
        assert rows[SIGNAL_LABELS[signal]] == "1"
        assert SIGNAL_LABELS[signal] in html
    assert "Erreurs et replis" in html
