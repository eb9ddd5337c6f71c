"""Conversation review: list by day with filters and pages, safe rendering, score, delete, CSV."""

from __future__ import annotations

import csv
import io
import re

from admin_app.routes import conversations as routes

from pierre_rag.auth.access import StaffRole
from tests.unit.admin.harness import LANDLORD

DAY = "2026-11-25"
T0 = 1_795_600_000_000  # 2026-11-25 07:06 UTC


def _ids(html: str) -> list[str]:
    return re.findall(r'href="/admin/conversations/([^"/?]+)"', html)


def test_the_list_shows_the_days_conversations_newest_first(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    for index in range(3):
        admin.seed_conversation(f"c{index}", created_ms=T0 + index * 60_000)
    admin.seed_conversation("yesterday", created_ms=T0 - 86_400_000)

    page = admin.client.get(f"/admin/conversations?day={DAY}")

    assert page.status_code == 200
    assert _ids(page.text) == ["c2", "c1", "c0"]


def test_filters_by_channel_context_and_score(admin):
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("web1", created_ms=T0)
    admin.seed_conversation("sms1", created_ms=T0 + 1000, channel="sms")
    admin.seed_conversation("staff1", created_ms=T0 + 2000, context="staff")
    admin.client.post("/admin/conversations/web1/score", data={"csrf": csrf, "score": "3"})
    admin.conversations.set_customer_score("sms1", -1, "bof")

    def ids(query: str) -> list[str]:
        return _ids(admin.client.get(f"/admin/conversations?day={DAY}&{query}").text)

    assert ids("channel=sms") == ["sms1"]
    assert ids("context=staff") == ["staff1"]
    assert ids("score=3") == ["web1"]
    assert ids("score=none") == ["staff1", "sms1"]
    assert ids("score=down") == ["sms1"]


def test_pages_follow_each_other_without_gaps_or_repeats(admin, monkeypatch):
    monkeypatch.setattr(routes, "PAGE_SIZE", 2)
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    for index in range(5):
        admin.seed_conversation(f"c{index}", created_ms=T0 + index * 1000)

    seen: list[str] = []
    url = f"/admin/conversations?day={DAY}"
    for _ in range(5):
        html = admin.client.get(url).text
        seen += _ids(html)
        more = re.search(r'rel="next" href="([^"]+)"', html)
        if not more:
            break
        url = more.group(1).replace("&amp;", "&")

    assert seen == ["c4", "c3", "c2", "c1", "c0"]


def test_a_filtered_page_reads_on_until_it_is_full(admin, monkeypatch):
    monkeypatch.setattr(routes, "PAGE_SIZE", 2)
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    for index in range(6):
        channel = "sms" if index in (0, 5) else "web"
        admin.seed_conversation(f"c{index}", created_ms=T0 + index * 1000, channel=channel)

    html = admin.client.get(f"/admin/conversations?day={DAY}&channel=sms").text

    assert _ids(html) == ["c5", "c0"]


def test_model_and_user_text_is_shown_as_text_never_as_html(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation(
        "xss",
        created_ms=T0,
        question="<img src=x onerror=alert(1)>",
        answer="**Gras** <script>alert('x')</script> [lien](javascript:alert(1))",
        sources=[
            {
                "number": "1",
                "file": "a.md",
                "title": "<b>T</b>",
                "heading": "h",
                "breadcrumb": "<i>B</i>",
            }
        ],
    )

    html = admin.client.get("/admin/conversations/xss").text

    assert "<script>alert" not in html and "<img src=x" not in html and "<i>B</i>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_scoring_stores_the_organisation_score_and_comment(admin):
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=T0)

    response = admin.client.post(
        "/admin/conversations/c1/score",
        data={"csrf": csrf, "score": "1", "comment": "source incomplète"},
        follow_redirects=False,
    )

    assert response.status_code == 303
    meta = admin.conversations.get_meta("c1")
    assert meta is not None
    assert (meta.organisation_score, meta.organisation_comment) == (1, "source incomplète")
    assert "Note enregistrée." in admin.client.get(response.headers["location"]).text


def test_a_score_outside_0_to_3_or_without_csrf_changes_nothing(admin):
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=T0)

    too_high = admin.client.post("/admin/conversations/c1/score", data={"csrf": csrf, "score": "4"})
    no_csrf = admin.client.post("/admin/conversations/c1/score", data={"score": "2"})

    assert (too_high.status_code, no_csrf.status_code) == (400, 403)
    meta = admin.conversations.get_meta("c1")
    assert meta is not None and meta.organisation_score is None


def test_delete_asks_for_confirmation_then_erases_every_item(admin):
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=T0)

    confirm = admin.client.get("/admin/conversations/c1/delete")
    assert admin.conversations.get_meta("c1") is not None
    deleted = admin.client.post(
        "/admin/conversations/c1/delete", data={"csrf": csrf}, follow_redirects=False
    )

    assert "Supprimer définitivement" in confirm.text
    assert deleted.status_code == 303 and f"day={DAY}" in deleted.headers["location"]
    assert admin.conversations.get_meta("c1") is None
    assert admin.conversations.all_turns("c1") == []
    assert admin.client.get("/admin/conversations/c1").status_code == 404


def test_find_by_id_opens_the_conversation(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=T0)

    response = admin.client.get("/admin/conversations/find?id=c1")

    assert response.status_code == 200 and "c1" in response.text


def test_the_csv_export_neutralises_formulas(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation(
        "c1", created_ms=T0, question='=HYPERLINK("http://evil")', answer="@SUM(A1)"
    )

    response = admin.client.get(f"/admin/conversations/export.csv?day={DAY}")

    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    messages = [row[10] for row in rows[1:]]
    assert messages == ['\'=HYPERLINK("http://evil")', "'@SUM(A1)"]
