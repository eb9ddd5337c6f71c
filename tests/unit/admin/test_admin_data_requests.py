"""Tenants' data requests (RGPD): find an SMS number's or a conversation's data, export it,
erase it after a confirmation, each step audited; administrators of its landlord only."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from dataclasses import replace

from pierre_rag.auth.access import StaffRole
from pierre_rag.phones import pseudonymise_phone
from tests.unit.admin.harness import LANDLORD, OTHER, PHONE_HASH_KEY

T0 = 1_795_600_000_000  # 2026-11-25 07:06 UTC
NUMBER = "+33612345678"
OTHER_NUMBER = "+33698765432"
ADMIN = f"dpo@{LANDLORD}"


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, html[:2000]
    return match.group(1)


def _found_ids(html: str) -> list[str]:
    return re.findall(r'<td data-label="Début"><a href="/admin/conversations/([^"]+)"', html)


def _seed_tenant(admin) -> None:
    """Two SMS conversations of NUMBER, one of another number, one web conversation."""
    admin.seed_conversation("sms-old", created_ms=T0, sms_from=NUMBER, question="Mon loyer ?")
    admin.seed_conversation("sms-new", created_ms=T0 + 86_400_000, sms_from=NUMBER)
    admin.seed_conversation("sms-other", created_ms=T0, sms_from=OTHER_NUMBER)
    admin.seed_conversation("web-1", created_ms=T0)


def _search(admin, csrf: str, **fields: str):
    return admin.client.post("/admin/data-requests/search", data={"csrf": csrf, **fields})


def test_a_number_as_the_tenant_writes_it_finds_its_sms_conversations_newest_first(admin):
    # given a tenant's SMS conversations among others
    csrf = admin.sign_in_as(ADMIN, StaffRole.ADMINISTRATOR)
    _seed_tenant(admin)
    # when the administrator types the number the way the tenant wrote it
    page = _search(admin, csrf, phone="06 12 34 56 78")
    # then its conversations are listed, with the channel, message count and preview
    assert page.status_code == 200
    assert _found_ids(page.text) == ["sms-new", "sms-old"]
    assert "2 conversation(s) trouvée(s)" in page.text
    assert "Mon loyer ?" in page.text
    # and the forms carry the number's keyed hash, never the number
    assert _hidden(page.text, "key") == pseudonymise_phone(NUMBER, PHONE_HASH_KEY)
    assert "12 34 56 78" not in page.text.split("<table", 1)[1]
    assert "612345678" not in page.text


def test_a_conversation_id_finds_that_conversation(admin):
    csrf = admin.sign_in_as(ADMIN, StaffRole.ADMINISTRATOR)
    _seed_tenant(admin)

    page = _search(admin, csrf, conversation=" web-1 ")

    assert _found_ids(page.text) == ["web-1"]
    assert _hidden(page.text, "kind") == "conversation"


def test_bad_input_gets_a_french_error_and_searches_nothing(admin):
    # given an administrator
    csrf = admin.sign_in_as(ADMIN, StaffRole.ADMINISTRATOR)
    cases = {
        (("phone", "06 12"),): "n'est pas valide : écrivez-le par exemple 06 12 34 56 78",
        (("phone", "٠٦١٢٣٤٥٦٧٨"),): "n'est pas valide",
        (("conversation", "a b"),): "Cet identifiant de conversation n'est pas valide",
        (): "Indiquez le numéro de téléphone ou l'identifiant",
        (("phone", NUMBER), ("conversation", "web-1")): "pas les deux",
    }
    for fields, message in cases.items():
        # when the form is sent with it
        page = _search(admin, csrf, **dict(fields))
        # then the page says what is wrong, and nothing is audited
        assert page.status_code == 400, fields
        assert message in html.unescape(page.text), fields
    assert admin.services.data_request_log.latest(LANDLORD) == []


def test_the_export_is_one_zip_with_json_and_readable_text(admin):
    # given a tenant's reviewed and rated SMS conversation, found by its number
    csrf = admin.sign_in_as(ADMIN, StaffRole.ADMINISTRATOR)
    _seed_tenant(admin)
    admin.conversations.set_customer_score("sms-old", -1, "pas clair")
    admin.client.post(
        "/admin/conversations/sms-old/answers/sms-old-q/score",
        data={"csrf": csrf, "score": "1", "comment": "horaires anciens"},
    )
    key = _hidden(_search(admin, csrf, phone=NUMBER).text, "key")
    # when it is exported
    response = admin.client.post(
        "/admin/data-requests/export", data={"csrf": csrf, "kind": "phone", "key": key}
    )
    # then the download is a zip of both files, holding both conversations and nothing else
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["conversations.json", "conversations.txt"]
    document = json.loads(archive.read("conversations.json"))
    assert [c["id"] for c in document["conversations"]] == ["sms-new", "sms-old"]
    old = document["conversations"][1]
    assert [m["role"] for m in old["messages"]] == ["question", "answer"]
    assert old["messages"][0]["text"] == "Mon loyer ?"
    assert old["messages"][1]["staff_review"] == {"score": 1, "comment": "horaires anciens"}
    assert old["feedback"] == {"score": -1, "comment": "pas clair"}
    text = archive.read("conversations.txt").decode("utf-8")
    assert "Question :\nMon loyer ?" in text
    assert "Votre avis : pas utile — pas clair" in text
    # and who reviewed it, a staff member, is not the tenant's data
    assert ADMIN not in text and ADMIN not in archive.read("conversations.json").decode()
    assert "sms-other" not in text and "web-1" not in text


def test_erasure_asks_first_then_removes_the_subjects_conversations_only(admin):
    # given a tenant's conversations found by number
    csrf = admin.sign_in_as(ADMIN, StaffRole.ADMINISTRATOR)
    _seed_tenant(admin)
    key = _hidden(_search(admin, csrf, phone=NUMBER).text, "key")
    subject = {"csrf": csrf, "kind": "phone", "key": key}
    # when the administrator asks to delete, the confirmation names them and erases nothing
    confirm = admin.client.post("/admin/data-requests/delete/confirm", data=subject)
    assert "Supprimer 2 conversation(s) ?" in confirm.text
    assert admin.conversations.get_meta("sms-old") is not None
    # and once confirmed
    done = admin.client.post("/admin/data-requests/delete", data=subject, follow_redirects=False)
    # then both are gone, the others are kept, and the page says how many went
    assert done.status_code == 303
    assert admin.conversations.get_meta("sms-old") is None
    assert admin.conversations.get_meta("sms-new") is None
    assert admin.conversations.all_turns("sms-old") == []
    assert admin.conversations.get_meta("sms-other") is not None
    assert admin.conversations.get_meta("web-1") is not None
    assert "2 conversation(s) supprimée(s)" in admin.client.get(done.headers["location"]).text


def test_every_search_export_and_erasure_is_audited_without_the_number(admin):
    # given an administrator handling a request by number
    csrf = admin.sign_in_as(ADMIN, StaffRole.ADMINISTRATOR)
    _seed_tenant(admin)
    key = _hidden(_search(admin, csrf, phone=NUMBER).text, "key")
    subject = {"csrf": csrf, "kind": "phone", "key": key}
    admin.clock.now += 60
    admin.client.post("/admin/data-requests/export", data=subject)
    admin.clock.now += 60
    admin.client.post("/admin/data-requests/delete", data=subject)
    # when the audit is read
    audit = admin.services.data_request_log.latest(LANDLORD)
    page = admin.client.get("/admin/data-requests").text
    # then it holds who, what and how many, newest first, with the hash only
    assert [(e.action, e.conversations, e.actor) for e in audit] == [
        ("delete", 2, ADMIN),
        ("export", 2, ADMIN),
        ("search", 2, ADMIN),
    ]
    assert {e.subject.key for e in audit} == {pseudonymise_phone(NUMBER, PHONE_HASH_KEY)}
    assert [e.at_ms for e in audit] == sorted((e.at_ms for e in audit), reverse=True)
    assert page.count('<td data-label="Action">') == 3
    assert "Suppression" in page and "Export" in page and "Recherche" in page
    assert NUMBER not in page and "612345678" not in page


def test_another_landlords_administrator_finds_and_erases_nothing(admin):
    # given our tenant's conversations, and the same number at the other landlord
    _seed_tenant(admin)
    admin.seed_conversation("theirs", landlord=OTHER, created_ms=T0, sms_from=NUMBER)
    csrf = admin.sign_in_as(f"admin@{OTHER}", StaffRole.ADMINISTRATOR, landlord=OTHER)
    # when their administrator searches our number and our conversation id, then erases
    by_number = _search(admin, csrf, phone=NUMBER)
    by_id = _search(admin, csrf, conversation="sms-old")
    key = pseudonymise_phone(NUMBER, PHONE_HASH_KEY)
    for kind, subject_key in (("phone", key), ("conversation", "sms-old")):
        admin.client.post(
            "/admin/data-requests/delete",
            data={"csrf": csrf, "kind": kind, "key": subject_key},
        )
    # then they find their own conversation only, and ours are all kept
    assert _found_ids(by_number.text) == ["theirs"]
    assert _found_ids(by_id.text) == []
    assert all(
        admin.conversations.get_meta(conversation) is not None
        for conversation in ("sms-old", "sms-new", "web-1")
    )
    # and our audit shows nothing of theirs
    assert admin.services.data_request_log.latest(LANDLORD) == []


def test_a_forged_subject_is_refused(admin):
    csrf = admin.sign_in_as(ADMIN, StaffRole.ADMINISTRATOR)

    response = admin.client.post(
        "/admin/data-requests/export", data={"csrf": csrf, "kind": "phone", "key": NUMBER}
    )

    assert response.status_code == 400


def test_without_an_audit_the_page_refuses_to_act(admin):
    # given an admin deployed without the audit store
    csrf = admin.sign_in_as(ADMIN, StaffRole.ADMINISTRATOR)
    _seed_tenant(admin)
    services = replace(admin.services, data_request_log=None)
    admin.client.app.state.services = lambda: services
    # when a search and an erasure are sent
    search = _search(admin, csrf, conversation="web-1")
    erase = admin.client.post(
        "/admin/data-requests/delete",
        data={"csrf": csrf, "kind": "conversation", "key": "web-1"},
    )
    # then both are refused and nothing is erased
    assert search.status_code == erase.status_code == 503
    assert admin.conversations.get_meta("web-1") is not None


def test_the_confirmation_lists_the_validated_answers_made_from_the_conversations(admin):
    # given an answer of the tenant's conversation validated by staff, and one of another's
    csrf = admin.sign_in_as(ADMIN, StaffRole.ADMINISTRATOR)
    _seed_tenant(admin)
    for conversation, question in (("sms-old", "Quand payer mon loyer ?"), ("web-1", "Horaires ?")):
        admin.client.post(
            f"/admin/conversations/{conversation}/answers/{conversation}-q/validate",
            data={"csrf": csrf, "question": question, "answer": "Avant le 5 du mois."},
        )
    key = _hidden(_search(admin, csrf, phone=NUMBER).text, "key")

    # when the administrator asks to erase the tenant's conversations
    confirm = admin.client.post(
        "/admin/data-requests/delete/confirm", data={"csrf": csrf, "kind": "phone", "key": key}
    )

    # then the page lists the one validated from them, for review, and not the other
    page = html.unescape(confirm.text)
    assert "1 réponse(s) validée(s) viennent de ces conversations" in page
    assert "Quand payer mon loyer ?" in page and "Horaires ?" not in page
