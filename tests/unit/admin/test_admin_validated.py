"""Validated answers in the admin: from a transcript's answer (edited), listed, deleted."""

from __future__ import annotations

from pierre_rag.auth.access import StaffRole
from tests.unit.admin.harness import LANDLORD

T0 = 1_795_600_000_000
VALIDATE = "/admin/conversations/c1/answers/c1-q/validate"


def test_a_reviewed_answer_is_validated_with_its_edited_text_and_kept_sources(admin):
    # Given an answered conversation, opened by an administrator
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=T0)
    transcript = admin.client.get("/admin/conversations/c1").text
    assert f'href="{VALIDATE}"' in transcript

    # when the form is opened, the answer edited and validated
    form = admin.client.get(VALIDATE).text
    assert "Quels sont les horaires de l&#39;agence ?</textarea>" in form
    assert "L&#39;agence est ouverte de 8 h 30 à 17 h 30.</textarea>" in form
    response = admin.client.post(
        VALIDATE,
        data={
            "csrf": csrf,
            "question": " Quels sont les horaires de l'agence ? ",
            "answer": "L'agence est ouverte de 9 h à 17 h.",
        },
        follow_redirects=False,
    )

    # then it is stored for this landlord with the answer's sources, and listed
    assert response.headers["location"] == "/admin/validated?done=validated"
    (stored,) = admin.services.validated_answers.of_landlord(LANDLORD)
    assert (stored.question, stored.answer) == (
        "Quels sont les horaires de l'agence ?",
        "L'agence est ouverte de 9 h à 17 h.",
    )
    assert (stored.validated_by, stored.language) == (f"a@{LANDLORD}", "fr")
    assert [source["file"] for source in stored.sources] == ["pierre-habitat.fr/public/agences.md"]
    assert (stored.conversation_id, stored.message_id) == ("c1", "c1-q")
    listing = admin.client.get(response.headers["location"]).text
    assert "Réponse validée enregistrée." in listing
    assert "L&#39;agence est ouverte de 9 h à 17 h." in listing


def test_validating_the_same_answer_twice_is_refused(admin):
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=T0)
    data = {"csrf": csrf, "question": "Horaires ?", "answer": "De 9 h à 17 h."}
    admin.client.post(VALIDATE, data=data)

    again = admin.client.post(VALIDATE, data={**data, "answer": "Autre texte"})

    assert again.status_code == 409 and "déjà validée" in again.text
    (stored,) = admin.services.validated_answers.of_landlord(LANDLORD)
    assert stored.answer == "De 9 h à 17 h."


def test_an_empty_answer_or_a_missing_token_stores_nothing(admin):
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=T0)

    empty = admin.client.post(VALIDATE, data={"csrf": csrf, "question": "Horaires ?", "answer": ""})
    no_csrf = admin.client.post(VALIDATE, data={"question": "Horaires ?", "answer": "9 h"})

    assert (empty.status_code, no_csrf.status_code) == (400, 403)
    assert admin.services.validated_answers.of_landlord(LANDLORD) == []


def test_a_validated_answer_is_deleted_from_the_list(admin):
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    admin.seed_conversation("c1", created_ms=T0)
    admin.client.post(VALIDATE, data={"csrf": csrf, "question": "Horaires ?", "answer": "9 h"})
    (stored,) = admin.services.validated_answers.of_landlord(LANDLORD)

    response = admin.client.post(
        f"/admin/validated/{stored.answer_id}/delete", data={"csrf": csrf}, follow_redirects=False
    )
    again = admin.client.post(f"/admin/validated/{stored.answer_id}/delete", data={"csrf": csrf})

    assert response.headers["location"] == "/admin/validated?done=deleted"
    assert admin.services.validated_answers.of_landlord(LANDLORD) == []
    assert again.status_code == 404
    assert "Aucune réponse validée." in admin.client.get("/admin/validated").text


def test_the_list_says_how_many_sms_each_answer_takes_and_flags_the_long_ones(admin):
    # Given a short validated answer and one of about 900 characters
    csrf = admin.sign_in_as(f"a@{LANDLORD}", StaffRole.ADMINISTRATOR)
    for conversation in ("c1", "c2"):
        admin.seed_conversation(conversation, created_ms=T0)
    admin.client.post(VALIDATE, data={"csrf": csrf, "question": "Horaires ?", "answer": "9 h."})
    long_answer = "L'agence vous reçoit du lundi au vendredi, sur rendez-vous. " * 15
    admin.client.post(
        VALIDATE.replace("c1", "c2"),
        data={"csrf": csrf, "question": "Rendez-vous ?", "answer": long_answer},
    )

    # When the list is shown
    listing = admin.client.get("/admin/validated").text

    # Then the short one takes 1 SMS (signed) and the long one more than 3, flagged
    assert ">1 SMS<" in listing
    assert listing.count("plus de 3 : raccourcir ?") == 1
