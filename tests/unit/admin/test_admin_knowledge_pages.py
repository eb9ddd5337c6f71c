"""The admin's knowledge pages beside the upload: editor, delete, history and restore, control
questions, build actions, and a deployment without publishing."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest
from admin_app.app import create_app
from admin_app.deployment import deployed_authoring
from admin_app.routes import controls, history, sources
from admin_app.services import Services
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.testclient import TestClient

from pierre_rag.auth.access import StaffRole
from pierre_rag.publishing.models import (
    Build,
    BuildStatus,
    ChangeAction,
    ControlResult,
    Pointer,
    datastore_key,
)
from tests.unit.admin.harness import LANDLORD
from tests.unit.admin.knowledge_forms import hidden_fields, publish_preview

CONTRIBUTOR = f"contrib@{LANDLORD}"
ADMINISTRATOR = f"admin@{LANDLORD}"
TEXT = "# Horaires\n\nL'agence Nord ouvre de 9 h à 17 h du lundi au vendredi.\n"
PATH = "public/horaires.md"


def _seed_source(admin, text: str = TEXT) -> None:
    admin.services.sources.write(LANDLORD, PATH, text.encode(), "seed")
    admin.clock.now += 60


def test_the_editor_page_alone_may_run_scripts_from_the_admins_origin(admin):
    _seed_source(admin)
    admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    editor = admin.client.get("/admin/knowledge/edit", params={"path": PATH})
    listing = admin.client.get("/admin/knowledge")

    assert editor.status_code == 200
    assert "script-src 'self'" in editor.headers["content-security-policy"]
    assert '<script src="/markdown.js"></script>' in editor.text
    assert '<script src="/admin/static/editor.js"></script>' in editor.text
    assert "Nord ouvre de 9 h" in editor.text
    assert "script-src 'none'" in listing.headers["content-security-policy"]


def test_the_editor_is_served_its_script():
    client = TestClient(create_app(lambda: None))  # type: ignore[arg-type,return-value]

    script = client.get("/admin/static/editor.js")

    assert script.status_code == 200 and "PierreMarkdown.renderMarkdown" in script.text


def test_an_edit_goes_through_the_preview_and_publishes_a_new_version(admin):
    # given
    _seed_source(admin)
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)
    edited = TEXT.replace("17 h", "18 h")
    # when
    preview = admin.client.post(
        "/admin/knowledge/edit", data={"csrf": csrf, "path": PATH, "markdown": edited}
    )
    published = publish_preview(admin, preview)
    # then
    assert preview.status_code == 200
    assert hidden_fields(preview.text, "/admin/knowledge/publish")["replace"] == "true"
    assert published.status_code == 303
    assert "18 h" in admin.services.sources.read(LANDLORD, PATH).decode()
    assert admin.services.publishing.changes(LANDLORD)[0].action is ChangeAction.REPLACE


def test_a_new_page_gets_its_path_from_its_name_and_access(admin):
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    preview = admin.client.post(
        "/admin/knowledge/edit",
        data={"csrf": csrf, "name": "Procédure Impayés", "access": "staff", "markdown": TEXT},
    )

    fields = hidden_fields(preview.text, "/admin/knowledge/publish")
    assert (fields["path"], fields["replace"]) == ("staff/procedure-impayes.md", "false")


@pytest.mark.parametrize(
    ("markdown", "reason"),
    [
        ("---\ntitle: [non fermé\n---\n# T\n\nTexte.\n", "front matter"),
        ("---\ntitle: T\n", "front matter"),
        ("# Titre seul\n", "fichier vide"),
        ("---\nlandlord: autre-bailleur.fr\n---\n# T\n\nTexte.\n", "autre bailleur"),
        ("---\naccess: staff\n---\n# T\n\nTexte.\n", "le dossier"),
    ],
)
def test_an_invalid_page_comes_back_to_the_editor_with_the_reason(admin, markdown, reason):
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    response = admin.client.post(
        "/admin/knowledge/edit",
        data={"csrf": csrf, "name": "page", "access": "public", "markdown": markdown},
    )

    assert response.status_code == 400
    assert "Page refusée" in response.text and reason in response.text
    assert 'id="markdown"' in response.text
    assert admin.services.sources.list(LANDLORD) == []


def test_deleting_a_source_is_confirmed_then_recorded_and_rebuilt(admin):
    # given
    _seed_source(admin)
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)
    # when
    confirm = admin.client.get("/admin/knowledge/delete", params={"path": PATH})
    deleted = admin.client.post(
        "/admin/knowledge/delete", data={"csrf": csrf, "path": PATH}, follow_redirects=False
    )
    # then
    assert confirm.status_code == 200 and "Supprimer" in confirm.text
    assert deleted.status_code == 303
    assert admin.services.sources.list(LANDLORD) == []
    [change] = admin.services.publishing.changes(LANDLORD)
    assert (change.action, change.path, change.previous_version_id) == (
        ChangeAction.DELETE,
        PATH,
        "v000001",
    )
    assert len(admin.services.build_requests.requests) == 1


def test_an_old_version_is_read_and_restored_as_a_new_version(admin):
    # given two versions of a file
    _seed_source(admin)
    _seed_source(admin, TEXT.replace("17 h", "12 h"))
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)
    # when the first is read, then restored
    versions = admin.client.get("/admin/knowledge/versions", params={"path": PATH})
    old = admin.client.get("/admin/knowledge/version", params={"path": PATH, "version": "v000001"})
    restored = admin.client.post(
        "/admin/knowledge/restore",
        data={"csrf": csrf, "path": PATH, "version": "v000001"},
        follow_redirects=False,
    )
    history = admin.client.get("/admin/knowledge/history")
    # then
    assert versions.status_code == 200 and "Restaurer" in versions.text
    assert old.status_code == 200 and "17 h" in old.text
    assert restored.status_code == 303
    assert admin.services.sources.read(LANDLORD, PATH).decode() == TEXT
    [change] = admin.services.publishing.changes(LANDLORD)
    assert (change.action, change.previous_version_id, change.version_id) == (
        ChangeAction.REPLACE,
        "v000002",
        "v000003",
    )
    assert "remplacement" in history.text and "v000002" in history.text
    assert len(admin.services.build_requests.requests) == 1


def test_restoring_a_version_that_does_not_exist_changes_nothing(admin):
    _seed_source(admin)
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    response = admin.client.post(
        "/admin/knowledge/restore", data={"csrf": csrf, "path": PATH, "version": "v999999"}
    )

    assert response.status_code == 404
    assert len(admin.services.sources.history(LANDLORD, PATH)) == 1


def test_control_questions_are_added_and_deleted_with_their_changes(admin):
    # given
    _seed_source(admin)
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)
    expected = f"{LANDLORD}/{PATH}"
    # when
    added = admin.client.post(
        "/admin/knowledge/controls",
        data={"csrf": csrf, "question": "  Quels horaires ?  ", "expected_file": expected},
        follow_redirects=False,
    )
    [control] = admin.services.publishing.controls(LANDLORD)
    page = admin.client.get("/admin/knowledge/controls")
    deleted = admin.client.post(
        "/admin/knowledge/controls/delete",
        data={"csrf": csrf, "control_id": control.id},
        follow_redirects=False,
    )
    # then
    assert added.status_code == deleted.status_code == 303
    assert (control.question, control.expected_file) == ("Quels horaires ?", expected)
    assert "Quels horaires ?" in page.text
    assert admin.services.publishing.controls(LANDLORD) == []
    actions = [c.action for c in admin.services.publishing.changes(LANDLORD)]
    assert sorted(actions) == sorted([ChangeAction.CONTROL_ADDED, ChangeAction.CONTROL_DELETED])


def test_the_expected_file_may_be_a_community_file(admin):
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)
    community = next(
        e.file for e in admin.services.browser(LANDLORD).files(LANDLORD, ["community"])
    )

    response = admin.client.post(
        "/admin/knowledge/controls",
        data={"csrf": csrf, "question": "Qui paie ?", "expected_file": community},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert admin.services.publishing.controls(LANDLORD)[0].expected_file == community


@pytest.mark.parametrize(
    ("question", "expected_file", "reason"),
    [
        ("  ?  ", f"{LANDLORD}/{PATH}", "de 3 à 300"),
        ("Quels horaires ?", "autre-bailleur.fr/public/horaires.md", "inconnu"),
        ("Quels horaires ?", f"{LANDLORD}/public/absent.md", "inconnu"),
    ],
)
def test_an_invalid_control_question_is_refused(admin, question, expected_file, reason):
    _seed_source(admin)
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    response = admin.client.post(
        "/admin/knowledge/controls",
        data={"csrf": csrf, "question": question, "expected_file": expected_file},
    )

    assert response.status_code == 400 and reason in response.text
    assert admin.services.publishing.controls(LANDLORD) == []
    assert admin.services.publishing.changes(LANDLORD) == []


def test_rebuild_requests_a_build_and_records_it(admin):
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    response = admin.client.post(
        "/admin/knowledge/build", data={"csrf": csrf}, follow_redirects=False
    )

    assert response.status_code == 303
    [build] = admin.services.publishing.builds(LANDLORD)
    assert admin.services.build_requests.requests == [(LANDLORD, build.id, CONTRIBUTOR)]
    [change] = admin.services.publishing.changes(LANDLORD)
    assert (change.action, change.detail) == (ChangeAction.BUILD_REQUESTED, build.id)


class _RefusingQueue:
    def request(self, landlord: str, build_id: str, actor: str) -> None:
        raise ConnectionError("queue unreachable")


def test_a_build_the_queue_refuses_is_marked_failed_not_left_queued(admin):
    services = replace(admin.services, build_requests=_RefusingQueue())
    admin.client.app.state.services = lambda: services
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    response = admin.client.post(
        "/admin/knowledge/edit",
        data={"csrf": csrf, "name": "horaires", "access": "public", "markdown": TEXT},
    )
    published = publish_preview(admin, response)

    assert published.headers["location"] == "/admin/knowledge?done=notrequested"
    [build] = admin.services.publishing.builds(LANDLORD)
    assert build.status is BuildStatus.FAILED and build.error
    assert [f.path for f in admin.services.sources.list(LANDLORD)] == [PATH]


def _build(build_id: str, version: str, status: BuildStatus, **extra: object) -> Build:
    return Build.model_validate(
        {
            "landlord": LANDLORD,
            "id": build_id,
            "version": version,
            "status": status,
            "requested_ms": int(build_id[:13]),
            "requested_by": CONTRIBUTOR,
            "object_key": datastore_key(LANDLORD, version),
            **extra,
        }
    )


def _builds(admin) -> tuple[Build, Build, Build]:
    """A held build, the live one and an older published one."""
    lost = ControlResult(question="Quels horaires ?", expected_file=f"{LANDLORD}/{PATH}", rank=None)
    held = _build("1800000003000aaaaaaaa", "c" * 16, BuildStatus.HELD, controls=[lost])
    live = _build("1800000002000bbbbbbbb", "b" * 16, BuildStatus.PUBLISHED)
    old = _build("1800000001000cccccccc", "a" * 16, BuildStatus.PUBLISHED)
    expired = _build(
        "1800000000000dddddddd", "d" * 16, BuildStatus.PUBLISHED, expired=True, object_key=""
    )
    admin.services.publishing.save_build(expired)  # its datastore is no longer kept
    for build in (held, live, old):
        admin.services.publishing.save_build(build)
    admin.services.publishing.move_pointer(
        Pointer(
            landlord=LANDLORD,
            version=live.version,
            object_key="k",
            published_ms=2,
            published_by=ADMINISTRATOR,
        ),
        None,
    )
    return held, live, old


def test_an_administrator_sees_the_held_build_its_lost_question_and_the_rollback(admin):
    held, live, old = _builds(admin)
    admin.sign_in_as(ADMINISTRATOR, StaffRole.ADMINISTRATOR)

    page = admin.client.get("/admin/knowledge").text

    assert "retenue" in page and "Quels horaires ?" in page
    assert page.count("Publier quand même") == 1
    # the old one only: the live one is live, the expired one's datastore is gone
    assert page.count("Revenir à cette version") == 1
    assert hidden_fields(page, "/admin/knowledge/builds/confirm")["build_id"] == held.id
    assert hidden_fields(page, "/admin/knowledge/builds/rollback")["build_id"] == old.id
    assert f"<code>{live.version}</code> (en ligne)" in page


def test_a_contributor_sees_no_build_action_and_may_not_confirm_or_roll_back(admin):
    held, _, old = _builds(admin)
    csrf = admin.sign_in_as(CONTRIBUTOR, StaffRole.CONTRIBUTOR)

    page = admin.client.get("/admin/knowledge").text
    confirm = admin.client.post(
        "/admin/knowledge/builds/confirm", data={"csrf": csrf, "build_id": held.id}
    )
    rollback = admin.client.post(
        "/admin/knowledge/builds/rollback", data={"csrf": csrf, "build_id": old.id}
    )

    assert "Publier quand même" not in page and "Revenir à cette version" not in page
    assert confirm.status_code == rollback.status_code == 403
    assert admin.build_actions.calls == []


def test_confirm_and_rollback_are_the_builders_and_its_refusal_is_shown(admin):
    held, _, old = _builds(admin)
    csrf = admin.sign_in_as(ADMINISTRATOR, StaffRole.ADMINISTRATOR)

    confirmed = admin.client.post(
        "/admin/knowledge/builds/confirm",
        data={"csrf": csrf, "build_id": held.id},
        follow_redirects=False,
    )
    admin.build_actions.error = "version supprimée"
    refused = admin.client.post(
        "/admin/knowledge/builds/rollback", data={"csrf": csrf, "build_id": old.id}
    )

    assert confirmed.status_code == 303
    assert refused.status_code == 409 and "version supprimée" in refused.text
    assert admin.build_actions.calls == [
        ("confirm", LANDLORD, held.id, ADMINISTRATOR),
        ("rollback", LANDLORD, old.id, ADMINISTRATOR),
    ]


def test_without_publishing_the_pages_say_it_is_not_deployed(admin):
    # given the services' defaults for publishing
    defaults = {
        f.name: f.default
        for f in fields(Services)
        if f.name in {"sources", "publishing", "build_requests", "confirm_build"}
    }
    services = replace(admin.services, **defaults)
    admin.client.app.state.services = lambda: services
    csrf = admin.sign_in_as(ADMINISTRATOR, StaffRole.ADMINISTRATOR)

    listing = admin.client.get("/admin/knowledge")
    upload_page = admin.client.get("/admin/knowledge/upload")
    confirm = admin.client.post(
        "/admin/knowledge/builds/confirm",
        data={"csrf": csrf, "build_id": "1800000003000aaaaaaaa"},
    )

    assert listing.status_code == 200 and "publication non déployée" in listing.text
    assert "Dans la base de l'assistant" in listing.text
    assert upload_page.status_code == 503 and "Publication non déployée" in upload_page.text
    assert confirm.status_code == 409 and "publication non déployée" in confirm.text


def _takes_authoring(dependant: Dependant) -> bool:
    return any(
        sub.call is deployed_authoring or _takes_authoring(sub) for sub in dependant.dependencies
    )


def test_without_publishing_every_authoring_route_answers_503_and_stores_nothing(admin):
    # given a deployment without publishing, and the routes that need it
    services = replace(admin.services, sources=None, publishing=None, build_requests=None)
    admin.client.app.state.services = lambda: services
    routes = [
        (method, route.path)
        for module in (sources, controls, history)
        for route in module.router.routes
        if isinstance(route, APIRoute) and _takes_authoring(route.dependant)
        for method in sorted(route.methods or ())
    ]
    csrf = admin.sign_in_as(ADMINISTRATOR, StaffRole.ADMINISTRATOR)

    # when an administrator opens or posts to each of them
    answers = {
        (method, path): admin.client.request(
            method, path, data={"csrf": csrf, "path": PATH} if method == "POST" else None
        )
        for method, path in routes
    }

    # then each says publishing is not deployed, and nothing was written
    assert len(routes) >= 14
    assert {key: answer.status_code for key, answer in answers.items()} == dict.fromkeys(
        answers, 503
    )
    assert all("Publication non déployée" in answer.text for answer in answers.values())
    assert admin.services.sources.list(LANDLORD) == []
