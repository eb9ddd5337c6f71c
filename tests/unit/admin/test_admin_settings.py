"""The settings page: administrators edit their landlord's greeting, examples, contact,
colours and widget origins over its file; refusals are per field, in French, with nothing
saved; a concurrent save is detected and the administrator's values kept; every save and
every return to the file is in the history."""

from __future__ import annotations

import dataclasses
import html
from html.parser import HTMLParser
from typing import Any

import pytest
from admin_app.app import create_app
from starlette.testclient import TestClient

from pierre_rag.auth.access import StaffRole
from pierre_rag.landlord_settings import LandlordSettingsEdit
from pierre_rag.publishing.memory import MemoryPublishing
from pierre_rag.publishing.models import ChangeAction
from tests.unit.admin.harness import LANDLORD, OTHER

A, K, C = StaffRole.ADMINISTRATOR, StaffRole.CONTRIBUTOR, StaffRole.COLLABORATOR
ADMIN = f"admin@{LANDLORD}"


class _FormFields(HTMLParser):
    """The named fields of the page's first POST form to /admin/settings, as a browser would
    submit them unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._inside = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "form":
            self._inside = named.get("action") == "/admin/settings" and not self.fields
        elif self._inside and tag == "input" and named.get("name"):
            self.fields[named["name"] or ""] = named.get("value") or ""
        elif self._inside and tag == "textarea":
            self._textarea = named.get("name")
            self.fields[self._textarea or ""] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._inside = False


def _form(page: str, **changes: str) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(page)
    assert parser.fields, page[:500]
    return {**parser.fields, **{name.replace("__", "."): v for name, v in changes.items()}}


def _publishing(admin: Any) -> MemoryPublishing:
    publishing = admin.services.publishing
    assert isinstance(publishing, MemoryPublishing)
    return publishing


def _stored_greeting(admin: Any, landlord: str = LANDLORD) -> str | None:
    stored = _publishing(admin).landlord_settings(landlord)
    return None if stored is None else stored[0]["contexts"]["default"]["greeting"]


def test_the_page_is_prefilled_with_the_landlord_files_values(admin):
    admin.sign_in_as(ADMIN, A)

    page = admin.client.get("/admin/settings")

    assert page.status_code == 200
    fields = _form(page.text)
    seed = admin.services.landlords.from_file(LANDLORD)
    assert fields["primary_color"] == seed.branding.primary_color
    assert fields["allowed_origins"] == "\n".join(seed.widget.allowed_origins)
    assert fields["default.greeting"] == seed.context("default").greeting
    assert fields["staff.handoff_label"] == seed.context("staff").handoff.label
    assert fields["revision"] == "0"
    assert "Réglages" in page.text  # the menu entry


def test_an_administrator_saves_and_the_history_records_it(admin):
    # given an administrator on the page
    csrf = admin.sign_in_as(ADMIN, A)
    page = admin.client.get("/admin/settings").text
    # when it saves a new greeting and colour
    saved = admin.client.post(
        "/admin/settings",
        data=_form(
            page,
            csrf=csrf,
            primary_color="#aa3300",
            default__greeting="Bienvenue, chers locataires.",
        ),
        follow_redirects=False,
    )
    # then it is stored at revision 1, recorded in the history, and shown
    assert saved.status_code == 303
    assert _stored_greeting(admin) == "Bienvenue, chers locataires."
    (change,) = _publishing(admin).changes(LANDLORD)
    assert (change.action, change.actor, change.version_id) == (ChangeAction.SETTINGS, ADMIN, "1")
    assert "couleur" in change.detail and "accueil (default)" in change.detail
    shown = admin.client.get(saved.headers["location"])
    assert "Réglages enregistrés" in shown.text
    assert _form(shown.text)["primary_color"] == "#aa3300"
    assert _form(shown.text)["revision"] == "1"
    assert "Revenir au fichier de déploiement" in shown.text


def test_the_accessibility_statements_contact_is_saved_and_recorded(admin):
    csrf = admin.sign_in_as(ADMIN, A)
    page = admin.client.get("/admin/settings").text

    saved = admin.client.post(
        "/admin/settings",
        data=_form(page, csrf=csrf, accessibility_email="handicap@pierre-habitat.fr"),
        follow_redirects=False,
    )

    assert saved.status_code == 303
    stored = _publishing(admin).landlord_settings(LANDLORD)
    assert stored is not None
    assert stored[0]["accessibility"]["contact_email"] == "handicap@pierre-habitat.fr"
    (change,) = _publishing(admin).changes(LANDLORD)
    assert change.detail == "Réglages : contact accessibilité"
    shown = admin.client.get(saved.headers["location"]).text
    assert _form(shown)["accessibility_email"] == "handicap@pierre-habitat.fr"


def test_the_page_submitted_unchanged_saves_nothing(admin):
    csrf = admin.sign_in_as(ADMIN, A)
    page = admin.client.get("/admin/settings").text

    response = admin.client.post("/admin/settings", data=_form(page, csrf=csrf))

    assert response.status_code == 200 and "Rien n'a changé" in html.unescape(response.text)
    assert _publishing(admin).landlord_settings(LANDLORD) is None
    assert _publishing(admin).changes(LANDLORD) == []


INVALID = {
    "colour": ({"primary_color": "bleu"}, "primary_color", "#RRGGBB"),
    "origin with a path": (
        {"allowed_origins": "https://www.pierre-habitat.fr/chat"},
        "allowed_origins",
        "ligne 1 : une origine de la forme https://www.exemple.fr, sans chemin",
    ),
    "logo": ({"logo_url": "javascript:alert(1)"}, "logo_url", "une adresse https://"),
    "contact url": (
        {"default__handoff_url": "ftp://agence"},
        "default.handoff_url",
        "commençant par https://",
    ),
    "contact without a name": (
        {"default__handoff_label": ""},
        "default.handoff_label",
        "ce champ est obligatoire",
    ),
    "nine examples": (
        {"default__examples": "\n".join(f"Question {i} ?" for i in range(9))},
        "default.examples",
        "8 lignes au plus",
    ),
    "greeting too long": (
        {"staff__greeting": "x" * 1001},
        "staff.greeting",
        "1000 caractères au plus",
    ),
    "accessibility e-mail": (
        {"accessibility_email": "accessibilite-at-exemple"},
        "accessibility_email",
        "une adresse e-mail de la forme nom@exemple.fr",
    ),
}


@pytest.mark.parametrize(("change", "field", "message"), INVALID.values(), ids=list(INVALID))
def test_an_invalid_field_is_refused_in_french_under_it_and_nothing_is_saved(
    admin, change, field, message
):
    # given an administrator on the page
    csrf = admin.sign_in_as(ADMIN, A)
    page = admin.client.get("/admin/settings").text
    # when it submits a value the landlord file would refuse, beside a valid change
    data = _form(page, csrf=csrf, default__greeting="Nouveau bonjour", **change)
    response = admin.client.post("/admin/settings", data=data)
    # then the page comes back 400 with the message under that field and the values typed
    assert response.status_code == 400
    assert f'id="err-{field}"' in response.text
    assert f'name="{field}"' in response.text and 'aria-invalid="true"' in response.text
    assert message in html.unescape(response.text)
    assert _form(response.text)["default.greeting"] == "Nouveau bonjour"
    assert _publishing(admin).landlord_settings(LANDLORD) is None
    assert _publishing(admin).changes(LANDLORD) == []


def test_a_concurrent_save_is_detected_and_the_second_administrators_values_kept(admin):
    # given two administrators who opened the page at the same revision
    csrf = admin.sign_in_as(ADMIN, A)
    page = admin.client.get("/admin/settings").text
    first = _form(page, csrf=csrf, default__greeting="Bonjour de Léa")
    second = _form(page, csrf=csrf, default__greeting="Bonjour de Marc")
    assert admin.client.post("/admin/settings", data=first, follow_redirects=False).is_redirect
    # when the second saves on top of the revision it read
    late = admin.client.post("/admin/settings", data=second)
    # then it is refused (409), nothing of the first is lost, its own values are shown again
    # with the revision now stored, so that saving again replaces the first knowingly
    assert late.status_code == 409
    assert "Quelqu'un a enregistré les réglages" in html.unescape(late.text)
    assert _stored_greeting(admin) == "Bonjour de Léa"
    again = _form(late.text)
    assert (again["default.greeting"], again["revision"]) == ("Bonjour de Marc", "1")
    assert admin.client.post("/admin/settings", data=again, follow_redirects=False).is_redirect
    assert _stored_greeting(admin) == "Bonjour de Marc"


def test_without_the_csrf_token_nothing_is_saved(admin):
    admin.sign_in_as(ADMIN, A)
    page = admin.client.get("/admin/settings").text

    response = admin.client.post(
        "/admin/settings", data=_form(page, csrf="forged", default__greeting="Piraté")
    )

    assert response.status_code == 403
    assert _publishing(admin).landlord_settings(LANDLORD) is None


@pytest.mark.parametrize("role", [K, C], ids=str)
def test_contributors_and_collaborators_may_neither_see_nor_save_the_settings(admin, role):
    csrf = admin.sign_in_as(f"{role.value}@{LANDLORD}", role)

    shown = admin.client.get("/admin/settings")
    saved = admin.client.post(
        "/admin/settings", data={"csrf": csrf, "revision": "0", "primary_color": "#000000"}
    )

    assert shown.status_code == saved.status_code == 403
    assert _publishing(admin).landlord_settings(LANDLORD) is None


def test_a_return_to_the_file_removes_the_edit_and_is_recorded(admin):
    # given a saved edit
    csrf = admin.sign_in_as(ADMIN, A)
    page = admin.client.get("/admin/settings").text
    admin.client.post("/admin/settings", data=_form(page, csrf=csrf, default__greeting="Édité"))
    admin.clock.now += 60
    # when the administrator confirms the return to the file, a minute later
    confirm = admin.client.get("/admin/settings/reset")
    assert confirm.status_code == 200 and 'name="revision" value="1"' in confirm.text
    reset = admin.client.post(
        "/admin/settings/reset", data={"csrf": csrf, "revision": "1"}, follow_redirects=False
    )
    # then nothing is stored, the history says so, and the page shows the file's values
    assert reset.status_code == 303
    assert _publishing(admin).landlord_settings(LANDLORD) is None
    latest = _publishing(admin).changes(LANDLORD)[0]
    assert (latest.action, latest.previous_version_id) == (ChangeAction.SETTINGS, "1")
    assert latest.detail == "Retour au fichier de déploiement"
    seed = admin.services.landlords.from_file(LANDLORD)
    shown = admin.client.get(reset.headers["location"])
    assert _form(shown.text)["default.greeting"] == seed.context("default").greeting


def test_a_return_to_the_file_after_someone_saved_changes_nothing(admin):
    csrf = admin.sign_in_as(ADMIN, A)
    page = admin.client.get("/admin/settings").text
    admin.client.post("/admin/settings", data=_form(page, csrf=csrf, default__greeting="Un"))
    page = admin.client.get("/admin/settings").text
    admin.client.post("/admin/settings", data=_form(page, csrf=csrf, default__greeting="Deux"))

    stale = admin.client.post("/admin/settings/reset", data={"csrf": csrf, "revision": "1"})

    assert stale.status_code == 409
    assert _stored_greeting(admin) == "Deux"


def test_a_stored_edit_that_no_longer_applies_shows_the_files_values_and_says_so(admin):
    # given a stored edit the model now refuses (e.g. written by an older version)
    seed = admin.services.landlords.from_file(LANDLORD)
    stale = LandlordSettingsEdit.of(seed).to_stored()
    stale["branding"]["primary_color"] = "blue"
    _publishing(admin).save_landlord_settings(LANDLORD, stale, 0)
    admin.sign_in_as(ADMIN, A)
    # when the page is opened, then it shows the file's values and the problem, not an error
    page = admin.client.get("/admin/settings")
    assert page.status_code == 200
    assert "ne s'appliquent plus" in html.unescape(page.text)
    fields = _form(page.text)
    assert (fields["primary_color"], fields["revision"]) == (seed.branding.primary_color, "1")
    assert admin.services.landlords.get(LANDLORD).branding.primary_color == "#0b5fa5"


def test_saving_the_page_replaces_a_stored_edit_that_no_longer_applies(admin):
    # given a stored edit the model now refuses, the page showing the file's values
    seed = admin.services.landlords.from_file(LANDLORD)
    stale = LandlordSettingsEdit.of(seed).to_stored()
    stale["branding"]["primary_color"] = "blue"
    _publishing(admin).save_landlord_settings(LANDLORD, stale, 0)
    csrf = admin.sign_in_as(ADMIN, A)
    page = admin.client.get("/admin/settings").text
    # when the administrator saves those values unchanged
    saved = admin.client.post("/admin/settings", data=_form(page, csrf=csrf))
    # then they replace the stale edit
    assert saved.status_code == 200 and "Réglages enregistrés" in saved.text
    assert _publishing(admin).landlord_settings(LANDLORD) == (
        LandlordSettingsEdit.of(seed).to_stored(),
        2,
    )


def test_one_landlords_administrator_edits_only_its_own_landlord(admin):
    # given another landlord's administrator
    csrf = admin.sign_in_as(f"admin@{OTHER}", A, landlord=OTHER)
    page = admin.client.get("/admin/settings").text
    # when it saves, even naming our landlord's fields or contexts
    data = _form(page, csrf=csrf, default__greeting="Autre bonjour")
    data["landlord"] = LANDLORD
    saved = admin.client.post("/admin/settings", data=data, follow_redirects=False)
    # then only its own landlord's settings are stored
    assert saved.status_code == 303
    assert _stored_greeting(admin, OTHER) == "Autre bonjour"
    assert _publishing(admin).landlord_settings(LANDLORD) is None
    assert "pierre-habitat.fr" not in _form(page)["allowed_origins"]


def test_when_publishing_is_not_deployed_the_page_says_so_and_saves_nothing(admin):
    # given an admin without a knowledge table
    services = dataclasses.replace(admin.services, publishing=None)
    client = TestClient(create_app(lambda: services), base_url="https://admin.example.org")
    client.cookies = admin.client.cookies
    csrf = admin.sign_in_as(ADMIN, A)
    client.cookies = admin.client.cookies
    # when the page is opened and submitted
    page = client.get("/admin/settings")
    saved = client.post("/admin/settings", data=_form(page.text, csrf=csrf))
    # then it shows the file's values, says why they cannot change, and stores nothing
    assert page.status_code == 200
    assert "pas déployée" in html.unescape(page.text)
    assert saved.status_code == 503
