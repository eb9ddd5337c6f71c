"""How the review pages show a conversation: the landlord's time zone for times and days, the
first question as a preview, outcomes in French, costs in euros, Markdown drawn by the chat's
renderer (scripts allowed on transcripts only), phone-sized tables."""

from __future__ import annotations

import csv
import io
import re

from pierre_rag.auth.access import StaffRole
from pierre_rag.conversations import Turn
from tests.unit.admin.harness import LANDLORD

LATE_ON_24_UTC = 1_795_563_000_000  # 2026-11-24 23:30 UTC = 2026-11-25 00:30 in Paris
LATE_ON_25_UTC = 1_795_649_400_000  # 2026-11-25 23:30 UTC = 2026-11-26 00:30 in Paris


def _ids(html: str) -> list[str]:
    return re.findall(r'href="/admin/conversations/([^"/?]+)"', html)


def test_days_and_times_are_the_landlords_in_paris(admin):
    # Given two conversations started just before midnight UTC
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("late24", created_ms=LATE_ON_24_UTC)
    admin.seed_conversation("late25", created_ms=LATE_ON_25_UTC)

    # then each belongs to the next day in Paris, and shows Paris time
    day25 = admin.client.get("/admin/conversations?day=2026-11-25").text
    assert _ids(day25) == ["late24"]
    assert "00:30:00" in day25
    assert _ids(admin.client.get("/admin/conversations?day=2026-11-26").text) == ["late25"]
    assert _ids(admin.client.get("/admin/conversations?day=2026-11-24").text) == []
    transcript = admin.client.get("/admin/conversations/late24").text
    assert "Conversation du 25/11/2026 00:30" in transcript
    assert 'href="/admin/conversations?day=2026-11-25"' in transcript


def test_the_export_and_the_statistics_cut_days_in_paris(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("late24", created_ms=LATE_ON_24_UTC)

    export = admin.client.get("/admin/conversations/export.csv?day=2026-11-25").text
    stats = admin.client.get("/admin/stats.csv?start=2026-11-24&end=2026-11-25").text

    rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff")), delimiter=";"))
    assert {row[0] for row in rows[1:]} == {"late24"}
    assert rows[1][1] == "2026-11-25T00:30:00+01:00"
    days = list(csv.reader(io.StringIO(stats.lstrip("\ufeff")), delimiter=";"))
    assert days[1][:2] == ["2026-11-24", "0"] and days[2][:2] == ["2026-11-25", "1"]


def test_the_list_previews_the_first_question_and_names_outcomes_in_french(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=LATE_ON_24_UTC, outcome="off_topic")
    admin.conversations.record_user_turn(
        "c1",
        Turn("user", "Et le second ?", "second", LATE_ON_24_UTC + 5_000),
        landlord=LANDLORD,
        context="default",
        channel="web",
        retention_days=30,
    )

    html = admin.client.get("/admin/conversations?day=2026-11-25").text

    assert "Quels sont les horaires de l&#39;agence ?" in html and "Et le second" not in html
    assert "Hors sujet 1" in html and "off_topic 1" not in html
    assert "Hors sujet" in admin.client.get("/admin/conversations/c1").text


def test_costs_are_shown_in_euros_at_the_configured_rate(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=LATE_ON_24_UTC)
    meta = admin.conversations.get_meta("c1")
    assert meta is not None and meta.cost_usd > 0

    html = admin.client.get("/admin/conversations/c1").text

    euros = f"{meta.cost_usd * admin.services.usd_to_eur:.4f}".replace(".", ",")
    assert f"{euros}\u00a0€" in html and " $" not in html
    stats = admin.client.get("/admin/stats.csv?start=2026-11-25&end=2026-11-25").text
    assert "coût estimé (EUR)" in stats


def test_transcripts_are_drawn_by_the_chats_markdown_renderer_with_scripts_of_this_origin(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=LATE_ON_24_UTC, answer="**Gras** <b>x</b>")

    transcript = admin.client.get("/admin/conversations/c1")
    listing = admin.client.get("/admin/conversations?day=2026-11-25")

    assert "data-markdown>**Gras** &lt;b&gt;x&lt;/b&gt;</div>" in transcript.text
    assert '<script src="/markdown.js"></script>' in transcript.text
    assert '<script src="/admin/static/transcript.js"></script>' in transcript.text
    assert "script-src 'self'" in transcript.headers["content-security-policy"]
    assert "script-src 'none'" in listing.headers["content-security-policy"]
    assert admin.client.get("/admin/static/transcript.js").status_code == 200


def test_the_conversation_table_stacks_its_cells_on_a_phone(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=LATE_ON_24_UTC)

    html = admin.client.get("/admin/conversations?day=2026-11-25").text
    css = admin.client.get("/admin/static/admin.css").text

    assert '<table class="conversations stack">' in html
    assert 'data-label="Première question"' in html
    assert "table.stack td::before { content: attr(data-label)" in css


def test_the_most_cited_sources_keep_their_whole_name(admin):
    long_file = "pierre-habitat.fr/public/reglement-interieur-des-residences-2026.md"
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=LATE_ON_24_UTC, sources=[{"file": long_file}])

    html = admin.client.get("/admin/stats?start=2026-11-25&end=2026-11-25").text

    assert f'class="label">{long_file}</text>' in html
