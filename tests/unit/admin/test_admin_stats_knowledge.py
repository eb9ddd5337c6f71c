"""Statistics page (charts, CSV) and knowledge pages (browse, search playground)."""

from __future__ import annotations

import csv
import io

from pierre_rag.auth.access import StaffRole
from tests.unit.admin.harness import LANDLORD, OTHER

T0 = 1_795_600_000_000  # 2026-11-25


def _seed(admin) -> None:
    admin.seed_conversation("a", created_ms=T0)
    admin.seed_conversation("b", created_ms=T0 + 1000, channel="sms", outcome="nothing_found")
    admin.seed_conversation("c", created_ms=T0 - 86_400_000, context="staff", outcome="off_topic")
    admin.seed_conversation("other", created_ms=T0, landlord=OTHER)


def test_the_statistics_page_renders_its_charts_as_inline_svg(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    _seed(admin)

    html = admin.client.get("/admin/stats?start=2026-11-24&end=2026-11-25").text

    assert html.count("<svg") == 8
    assert "<script" not in html
    assert "Conversations par jour" in html and "Sources les plus citées" in html
    assert '<span class="n">3</span> conversations' in html
    assert "33 %" in html  # 1 of 3 answered
    assert "850 ms" in html  # median latency of the seeded answers


def test_the_statistics_csv_has_one_row_per_day_and_totals(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    _seed(admin)

    text = admin.client.get("/admin/stats.csv?start=2026-11-24&end=2026-11-25").text

    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[1][:4] == ["2026-11-24", "1", "1", "0"]
    assert rows[2][:4] == ["2026-11-25", "2", "1", "1"]
    assert rows[3][:2] == ["total", "3"]


def test_the_range_is_capped(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)

    html = admin.client.get("/admin/stats?start=2020-01-01&end=2026-11-25").text

    assert "Statistiques du 2026-08-26 au 2026-11-25" in html


def test_browsing_lists_community_and_own_files_only(admin):
    admin.sign_in_as(f"c@{LANDLORD}", StaffRole.CONTRIBUTOR)

    html = admin.client.get("/admin/knowledge").text

    assert "commun/aides-au-logement.md" in html
    assert "pierre-habitat.fr/agences.md" in html
    assert "pierre-habitat.fr/staff/procedure-impayes.md" in html
    assert "autre-bailleur.fr" not in html


def test_another_landlord_cannot_open_this_landlords_file(admin):
    admin.sign_in_as(f"a@{OTHER}", StaffRole.ADMINISTRATOR, landlord=OTHER)

    response = admin.client.get("/admin/knowledge/file?path=pierre-habitat.fr/agences.md")

    assert response.status_code == 404


def test_the_playground_shows_scores_and_respects_the_contexts_access(admin):
    admin.sign_in_as(f"c@{LANDLORD}", StaffRole.CONTRIBUTOR)

    staff = admin.client.get(
        "/admin/knowledge/search?q=impay%C3%A9s+proc%C3%A9dure&context=staff&k=20"
    )
    public = admin.client.get(
        "/admin/knowledge/search?q=impay%C3%A9s+proc%C3%A9dure&context=default&k=20"
    )

    assert "procedure-impayes.md" in staff.text
    assert "procedure-impayes.md" not in public.text
    assert "rang BM25" in staff.text and "cosinus" in staff.text
    assert "autre-bailleur.fr" not in staff.text + public.text


def test_an_unknown_context_is_a_404(admin):
    admin.sign_in_as(f"c@{LANDLORD}", StaffRole.CONTRIBUTOR)

    assert admin.client.get("/admin/knowledge/search?q=x&context=nope").status_code == 404


def test_the_protected_chat_page_links_to_the_staff_context(admin):
    admin.sign_in_as(f"k@{LANDLORD}", StaffRole.COLLABORATOR)

    response = admin.client.get("/admin", follow_redirects=True)

    assert 'href="/api/embed/pierre-habitat.fr/staff"' in response.text
    assert "/api/embed/pierre-habitat.fr/default" not in response.text  # public: not listed
    assert "Conversations" not in response.text  # no link to pages it may not open
