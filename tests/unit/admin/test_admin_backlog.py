"""The "À améliorer" page: questions to improve on, grouped, linked to the editor, marked
handled (and back when asked again after)."""

from __future__ import annotations

import re

from pierre_rag.auth.access import StaffRole
from tests.unit.admin.harness import LANDLORD, OTHER

PARKING = "Comment obtenir une place de parking dans ma résidence ?"
PARKING_AGAIN = "Comment obtenir une place de parking dans la résidence ?"
WEATHER = "Quel temps fera-t-il demain à Lyon ?"
UNPAID = "Quelle est la procédure en cas de loyer impayé ?"


def _ago(admin, seconds: int) -> int:
    return int((admin.clock.now - seconds) * 1000)


def _rows(html: str) -> list[str]:
    return re.findall(r'<td data-label="Question" class="preview">([^<]+)', html)


def _seed(admin) -> None:
    admin.seed_conversation(
        "p1", created_ms=_ago(admin, 7200), question=PARKING, outcome="nothing_found"
    )
    admin.seed_conversation(
        "p2", created_ms=_ago(admin, 3600), question=PARKING_AGAIN, outcome="nothing_found"
    )
    admin.seed_conversation(
        "w1", created_ms=_ago(admin, 600), question=WEATHER, outcome="off_topic"
    )
    admin.seed_conversation("ok", created_ms=_ago(admin, 300), question="Horaires de l'agence ?")
    admin.seed_conversation(
        "theirs",
        landlord=OTHER,
        created_ms=_ago(admin, 60),
        question=PARKING,
        outcome="nothing_found",
    )


def test_similar_questions_are_one_group_with_their_count_last_date_and_reasons(admin):
    # Given two wordings of one question without an answer, a refusal and a good answer
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    _seed(admin)

    # when the backlog is opened
    page = admin.client.get("/admin/backlog").text

    # then the two wordings are one group of 2, first; the refusal its own; the rest absent
    rows = _rows(page)
    assert len(rows) == 2 and rows[1].strip() == WEATHER
    assert rows[0].strip() in (PARKING, PARKING_AGAIN)
    assert '<td data-label="Fois">2</td>' in page
    assert "Rien trouvé 2" in page and "Refus hors sujet 1" in page
    assert "Horaires de l&#39;agence" not in page
    assert "2 groupe(s)" in page


def test_a_group_links_to_the_editor_of_the_landlords_source_the_search_finds(admin):
    admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation(
        "u1", created_ms=_ago(admin, 60), question=UNPAID, outcome="nothing_found"
    )
    admin.seed_conversation(
        "w1", created_ms=_ago(admin, 600), question=WEATHER, outcome="off_topic"
    )

    page = admin.client.get("/admin/backlog").text

    assert 'href="/admin/knowledge/edit?path=staff/procedure-impayes.md"' in page
    assert 'href="/admin/knowledge/upload">Ajouter un fichier' in page


def test_a_group_marked_handled_leaves_and_comes_back_only_when_asked_again(admin):
    # Given the backlog with its two groups
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    _seed(admin)

    # when the parking group is marked handled through one of its questions
    response = admin.client.post(
        "/admin/backlog/handled", data={"csrf": csrf, "item": "p2#p2-q"}, follow_redirects=False
    )

    # then both its questions are marked, and only the refusal is left
    assert response.headers["location"] == "/admin/backlog?done=handled"
    assert admin.services.handled.handled(LANDLORD) == {"p1#p1-q", "p2#p2-q"}
    page = admin.client.get(response.headers["location"]).text
    assert "Groupe marqué comme traité." in page
    assert [row.strip() for row in _rows(page)] == [WEATHER]

    # and a later asking of the same question brings it back, alone
    admin.clock.now += 60
    admin.seed_conversation(
        "p3", created_ms=_ago(admin, 1), question=PARKING, outcome="nothing_found"
    )
    rows = [row.strip() for row in _rows(admin.client.get("/admin/backlog").text)]
    assert rows == [PARKING, WEATHER] or rows == [WEATHER, PARKING]


def test_another_landlords_item_is_never_marked(admin):
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    _seed(admin)

    response = admin.client.post(
        "/admin/backlog/handled",
        data={"csrf": csrf, "item": "theirs#theirs-q"},
        follow_redirects=False,
    )
    no_csrf = admin.client.post("/admin/backlog/handled", data={"item": "p1#p1-q"})

    assert response.headers["location"] == "/admin/backlog?done=gone"
    assert no_csrf.status_code == 403
    assert admin.services.handled.handled(LANDLORD) == set()
    assert admin.services.handled.handled(OTHER) == set()
