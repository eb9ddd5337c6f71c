"""Per-answer review: staff score each answer 0–3 with a comment, the list filters on those
scores, the CSV export carries them."""

from __future__ import annotations

import csv
import io
import re

from pierre_rag.auth.access import StaffRole
from tests.unit.admin.harness import LANDLORD

DAY = "2026-11-25"
T0 = 1_795_600_000_000  # 2026-11-25 07:06:40 UTC, 08:06:40 in Paris


def _ids(html: str) -> list[str]:
    return re.findall(r'href="/admin/conversations/([^"/?]+)"', html)


def _score(admin, csrf: str, conversation: str, score: str, comment: str = ""):
    return admin.client.post(
        f"/admin/conversations/{conversation}/answers/{conversation}-q/score",
        data={"csrf": csrf, "score": score, "comment": comment},
        follow_redirects=False,
    )


def test_an_answer_is_scored_with_a_comment_and_shown_with_its_reviewer(admin):
    # Given an administrator and an answered conversation
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=T0)

    # when they score its answer
    response = _score(admin, csrf, "c1", "1", "  horaires périmés  ")

    # then the review is stored for that answer, and the conversation's score is untouched
    assert response.status_code == 303
    assert response.headers["location"].endswith("?done=answer-scored#answer-c1-q")
    review = admin.conversations.answer_reviews("c1")["c1-q"]
    assert (review.score, review.comment, review.reviewer) == (
        1,
        "horaires périmés",
        f"a@{LANDLORD}",
    )
    meta = admin.conversations.get_meta("c1")
    assert meta is not None and meta.organisation_score is None
    page = admin.client.get(response.headers["location"]).text
    assert "Note de la réponse enregistrée." in page
    assert f"actuelle : 1/3, par a@{LANDLORD}" in page
    assert 'value="1" required checked' in page and "horaires périmés</textarea>" in page


def test_a_bad_score_a_missing_token_or_an_unknown_answer_changes_nothing(admin):
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=T0)

    too_high = _score(admin, csrf, "c1", "4")
    no_csrf = admin.client.post("/admin/conversations/c1/answers/c1-q/score", data={"score": "2"})
    unknown = admin.client.post(
        "/admin/conversations/c1/answers/never-asked/score", data={"csrf": csrf, "score": "2"}
    )

    assert (too_high.status_code, no_csrf.status_code, unknown.status_code) == (400, 403, 404)
    assert admin.conversations.answer_reviews("c1") == {}


def test_a_contributor_may_not_score_an_answer(admin):
    csrf = admin.sign_in_as(f"c@{LANDLORD}", StaffRole.CONTRIBUTOR)
    admin.seed_conversation("c1", created_ms=T0)

    assert _score(admin, csrf, "c1", "0").status_code == 403
    assert admin.conversations.answer_reviews("c1") == {}


def test_the_list_filters_on_the_answers_scores(admin):
    # Given conversations whose answers were scored 0, 1 and 3, and one not scored
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    for index, score in enumerate(["0", "1", "3", ""]):
        admin.seed_conversation(f"s{score or 'none'}", created_ms=T0 + index * 1000)
        if score:
            _score(admin, csrf, f"s{score}", score)

    def ids(query: str) -> list[str]:
        return _ids(admin.client.get(f"/admin/conversations?day={DAY}&{query}").text)

    # then each filter keeps the conversations with such an answer, newest first
    assert ids("answers=le1") == ["s1", "s0"]
    assert ids("answers=le0") == ["s0"]
    assert ids("answers=le2") == ["s1", "s0"]
    assert ids("answers=scored") == ["s3", "s1", "s0"]
    assert ids("answers=unscored") == ["snone"]
    assert "(min. 0/3)" in admin.client.get(f"/admin/conversations?day={DAY}").text


def test_the_csv_export_carries_each_answers_score_and_comment(admin):
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=T0, outcome="nothing_found")
    _score(admin, csrf, "c1", "0", "=faux")

    text = admin.client.get(f"/admin/conversations/export.csv?day={DAY}").text

    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header, question, answer = rows
    by_name = dict(zip(header, answer, strict=True))
    assert (by_name["note de la réponse"], by_name["commentaire de la réponse"]) == ("0", "'=faux")
    assert by_name["relu par"] == f"a@{LANDLORD}"
    assert by_name["résultat"] == "Rien trouvé"
    assert dict(zip(header, question, strict=True))["note de la réponse"] == ""
