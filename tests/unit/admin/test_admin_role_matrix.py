"""Role × route matrix: every route, every principal; nobody reaches what it must not.

The route table below is checked against the app's own routes, so a new route without an
entry here fails the suite.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from admin_app.app import create_app
from fastapi.routing import APIRoute

from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.sessions import COOKIE_NAME
from pierre_rag.publishing.models import ControlQuestion
from pierre_rag.review.validated import ValidatedAnswer
from tests.unit.admin.harness import LANDLORD, OTHER

A, K, C = StaffRole.ADMINISTRATOR, StaffRole.CONTRIBUTOR, StaffRole.COLLABORATOR
OURS = "conv-ours"
TARGET = f"target@{LANDLORD}"
STAFF_FILE = "pierre-habitat.fr/staff/procedure-impayes.md"
SOURCE = "public/horaires.md"
SOURCE_TEXT = "# Horaires\n\nL'agence ouvre de 9 h à 17 h du lundi au vendredi.\n"
CONTROL_ID = "c0ffee0000000001"
HELD_BUILD = "1800000000000abcdef01"
VALIDATED_ID = "0123456789abcdef01234567"
VALIDATE = f"/admin/conversations/{OURS}/answers/{OURS}-q/validate"
VALIDATED_TEXT = (("question", "Quels sont les horaires ?"), ("answer", "De 9 h à 17 h."))
PUBLIC_ROUTES = {
    ("GET", "/admin/health"),
    ("GET", "/admin/login"),
    ("POST", "/admin/login"),
    ("GET", "/admin"),
}


@dataclass(frozen=True)
class R:
    method: str
    url: str
    template: str  # the route's path template, to match the app's routes
    allowed: tuple[StaffRole, ...]
    data: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


ROUTES = [
    R("GET", "/admin/conversations", "/admin/conversations", (A,)),
    R("GET", f"/admin/conversations/find?id={OURS}", "/admin/conversations/find", (A,)),
    R("GET", "/admin/conversations/export.csv", "/admin/conversations/export.csv", (A,)),
    R("GET", f"/admin/conversations/{OURS}", "/admin/conversations/{conversation_id}", (A,)),
    R(
        "POST",
        f"/admin/conversations/{OURS}/score",
        "/admin/conversations/{conversation_id}/score",
        (A,),
        (("score", "2"),),
    ),
    R(
        "POST",
        f"/admin/conversations/{OURS}/answers/{OURS}-q/score",
        "/admin/conversations/{conversation_id}/answers/{message_id}/score",
        (A,),
        (("score", "2"),),
    ),
    R(
        "GET",
        f"/admin/conversations/{OURS}/delete",
        "/admin/conversations/{conversation_id}/delete",
        (A,),
    ),
    R(
        "POST",
        f"/admin/conversations/{OURS}/delete",
        "/admin/conversations/{conversation_id}/delete",
        (A,),
    ),
    R("GET", "/admin/backlog", "/admin/backlog", (A,)),
    R("POST", "/admin/backlog/handled", "/admin/backlog/handled", (A,), (("item", f"{OURS}#m"),)),
    R("GET", "/admin/validated", "/admin/validated", (A,)),
    R(
        "GET",
        VALIDATE,
        "/admin/conversations/{conversation_id}/answers/{message_id}/validate",
        (A,),
    ),
    R(
        "POST",
        VALIDATE,
        "/admin/conversations/{conversation_id}/answers/{message_id}/validate",
        (A,),
        VALIDATED_TEXT,
    ),
    R(
        "POST",
        f"/admin/validated/{VALIDATED_ID}/delete",
        "/admin/validated/{validated_id}/delete",
        (A,),
    ),
    R("GET", "/admin/stats", "/admin/stats", (A,)),
    R("GET", "/admin/stats.csv", "/admin/stats.csv", (A,)),
    R("GET", "/admin/users", "/admin/users", (A,)),
    R(
        "POST",
        "/admin/users",
        "/admin/users",
        (A,),
        (("email", f"new@{LANDLORD}"), ("role", "collaborator")),
    ),
    R(
        "POST",
        "/admin/users/role",
        "/admin/users/role",
        (A,),
        (("email", TARGET), ("role", "administrator")),
    ),
    R("POST", "/admin/users/password", "/admin/users/password", (A,), (("email", TARGET),)),
    R("GET", f"/admin/users/delete?email={TARGET}", "/admin/users/delete", (A,)),
    R("POST", "/admin/users/delete", "/admin/users/delete", (A,), (("email", TARGET),)),
    R("GET", "/admin/users/import", "/admin/users/import", (A,)),
    R(
        "POST",
        "/admin/users/import",
        "/admin/users/import",
        (A,),
        (("csv_text", f"x@{LANDLORD},collaborator"), ("action", "preview")),
    ),
    R("GET", "/admin/knowledge", "/admin/knowledge", (A, K)),
    R("GET", f"/admin/knowledge/file?path={STAFF_FILE}", "/admin/knowledge/file", (A, K)),
    R(
        "GET",
        "/admin/knowledge/search?q=loyer+impay%C3%A9&context=staff",
        "/admin/knowledge/search",
        (A, K),
    ),
    R("GET", "/admin/knowledge/upload", "/admin/knowledge/upload", (A, K)),
    R(
        "POST",
        "/admin/knowledge/upload",
        "/admin/knowledge/upload",
        (A, K),
        (("access", "public"),),
    ),
    R(
        "POST",
        "/admin/knowledge/publish",
        "/admin/knowledge/publish",
        (A, K),
        (("path", "public/nouveau.md"), ("markdown", SOURCE_TEXT)),
    ),
    R("GET", f"/admin/knowledge/edit?path={SOURCE}", "/admin/knowledge/edit", (A, K)),
    R(
        "POST",
        "/admin/knowledge/edit",
        "/admin/knowledge/edit",
        (A, K),
        (("path", SOURCE), ("markdown", SOURCE_TEXT)),
    ),
    R("GET", f"/admin/knowledge/delete?path={SOURCE}", "/admin/knowledge/delete", (A, K)),
    R("POST", "/admin/knowledge/delete", "/admin/knowledge/delete", (A, K), (("path", SOURCE),)),
    R("GET", "/admin/knowledge/history", "/admin/knowledge/history", (A, K)),
    R("GET", f"/admin/knowledge/versions?path={SOURCE}", "/admin/knowledge/versions", (A, K)),
    R(
        "GET",
        f"/admin/knowledge/version?path={SOURCE}&version=v000001",
        "/admin/knowledge/version",
        (A, K),
    ),
    R(
        "POST",
        "/admin/knowledge/restore",
        "/admin/knowledge/restore",
        (A, K),
        (("path", SOURCE), ("version", "v000001")),
    ),
    R("GET", "/admin/knowledge/controls", "/admin/knowledge/controls", (A, K)),
    R(
        "POST",
        "/admin/knowledge/controls",
        "/admin/knowledge/controls",
        (A, K),
        (("question", "Quels sont les horaires ?"), ("expected_file", f"{LANDLORD}/{SOURCE}")),
    ),
    R(
        "POST",
        "/admin/knowledge/controls/delete",
        "/admin/knowledge/controls/delete",
        (A, K),
        (("control_id", CONTROL_ID),),
    ),
    R("POST", "/admin/knowledge/build", "/admin/knowledge/build", (A, K)),
    R(
        "POST",
        "/admin/knowledge/builds/confirm",
        "/admin/knowledge/builds/confirm",
        (A,),
        (("build_id", HELD_BUILD),),
    ),
    R(
        "POST",
        "/admin/knowledge/builds/rollback",
        "/admin/knowledge/builds/rollback",
        (A,),
        (("build_id", HELD_BUILD),),
    ),
    R("GET", "/admin/chat", "/admin/chat", (A, C)),
    R("GET", "/admin/sms/failed", "/admin/sms/failed", (A,)),
    R(
        "POST",
        "/admin/sms/failed/requeue",
        "/admin/sms/failed/requeue",
        (A,),
        (("message_id", "m1"),),
    ),
    R(
        "POST",
        "/admin/sms/failed/delete",
        "/admin/sms/failed/delete",
        (A,),
        (("message_id", "m1"),),
    ),
    R("GET", "/admin/data-requests", "/admin/data-requests", (A,)),
    R(
        "POST",
        "/admin/data-requests/search",
        "/admin/data-requests/search",
        (A,),
        (("conversation", OURS),),
    ),
    R(
        "POST",
        "/admin/data-requests/export",
        "/admin/data-requests/export",
        (A,),
        (("kind", "conversation"), ("key", OURS)),
    ),
    R(
        "POST",
        "/admin/data-requests/delete/confirm",
        "/admin/data-requests/delete/confirm",
        (A,),
        (("kind", "conversation"), ("key", OURS)),
    ),
    R(
        "POST",
        "/admin/data-requests/delete",
        "/admin/data-requests/delete",
        (A,),
        (("kind", "conversation"), ("key", OURS)),
    ),
    R("GET", "/admin/settings", "/admin/settings", (A,)),
    R(
        "POST",
        "/admin/settings",
        "/admin/settings",
        (A,),
        (("revision", "0"), ("primary_color", "#123456")),
    ),
    R("GET", "/admin/settings/reset", "/admin/settings/reset", (A,)),
    R("POST", "/admin/settings/reset", "/admin/settings/reset", (A,), (("revision", "0"),)),
    R("GET", "/admin/password", "/admin/password", (A, K, C)),
    R(
        "POST",
        "/admin/password",
        "/admin/password",
        (A, K, C),
        (("current", "wrong"), ("new", "x"), ("confirm", "x")),
    ),
    R("POST", "/admin/logout", "/admin/logout", (A, K, C)),
]
PRINCIPALS = ["anonymous", "forged", A, K, C]


def _app_routes() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in create_app(lambda: None).router.routes:  # type: ignore[arg-type,return-value]
        routes = getattr(getattr(route, "original_router", None), "routes", [route])
        for inner in routes:
            if isinstance(inner, APIRoute):
                found.update((method, inner.path) for method in inner.methods or ())
    return found


def test_the_matrix_covers_every_route_of_the_app():
    covered = {(r.method, r.template) for r in ROUTES} | PUBLIC_ROUTES

    assert _app_routes() == covered


def _seed(admin) -> None:
    admin.seed_conversation(OURS)
    admin.seed_conversation("conv-theirs", landlord=OTHER)
    admin.add_user(TARGET, StaffRole.COLLABORATOR)
    seed_knowledge(admin)
    admin.services.validated_answers.add(
        ValidatedAnswer(
            answer_id=VALIDATED_ID,
            landlord=LANDLORD,
            question="Quels sont les horaires ?",
            answer="De 9 h à 17 h.",
            validated_by="seed",
            validated_ms=0,
        )
    )


def seed_knowledge(admin) -> None:
    """One source of ours (version v000001) and one control question."""
    admin.services.sources.write(LANDLORD, SOURCE, SOURCE_TEXT.encode(), "seed")
    admin.services.publishing.put_control(
        ControlQuestion(
            landlord=LANDLORD,
            id=CONTROL_ID,
            question="Quels sont les horaires ?",
            expected_file=f"{LANDLORD}/{SOURCE}",
            created_ms=0,
            created_by="seed",
        )
    )


def _request(admin, route: R, csrf: str):
    if route.method == "GET":
        return admin.client.get(route.url, follow_redirects=False)
    return admin.client.post(
        route.url, data={"csrf": csrf, **dict(route.data)}, follow_redirects=False
    )


@pytest.mark.parametrize("principal", PRINCIPALS, ids=str)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_principal_reaches_exactly_what_its_role_allows(admin, route, principal):
    # given
    _seed(admin)
    csrf = "none"
    if principal == "forged":
        admin.client.cookies.set(COOKIE_NAME, "eyJlIjoiYSJ9.forged.signature")
    elif isinstance(principal, StaffRole):
        csrf = admin.sign_in_as(f"{principal.value}@{LANDLORD}", principal)
    # when
    response = _request(admin, route, csrf)
    # then
    if not isinstance(principal, StaffRole):
        if route.method == "GET":
            assert response.status_code == 303
            assert response.headers["location"] == "/admin/login"
        else:
            assert response.status_code == 401
    elif principal in route.allowed:
        assert response.status_code in (200, 303, 400), response.text[:500]
        if response.status_code == 303 and route.template != "/admin/logout":
            assert response.headers["location"] not in ("/admin/login", "/admin/password")
    else:
        assert response.status_code == 403
        assert "Accès refusé" in response.text


CROSS_LANDLORD = [
    R("GET", f"/admin/conversations/{OURS}", "", (A,)),
    R("POST", f"/admin/conversations/{OURS}/score", "", (A,), (("score", "0"),)),
    R("POST", f"/admin/conversations/{OURS}/answers/{OURS}-q/score", "", (A,), (("score", "0"),)),
    R("GET", f"/admin/conversations/{OURS}/delete", "", (A,)),
    R("POST", f"/admin/conversations/{OURS}/delete", "", (A,)),
    R("GET", VALIDATE, "", (A,)),
    R("POST", VALIDATE, "", (A,), VALIDATED_TEXT),
    R("POST", f"/admin/validated/{VALIDATED_ID}/delete", "", (A,)),
    R("GET", f"/admin/users/delete?email={TARGET}", "", (A,)),
    R("POST", "/admin/users/role", "", (A,), (("email", TARGET), ("role", "administrator"))),
    R("POST", "/admin/users/password", "", (A,), (("email", TARGET),)),
    R("POST", "/admin/users/delete", "", (A,), (("email", TARGET),)),
    R("GET", f"/admin/knowledge/file?path={STAFF_FILE}", "", (A,)),
    R("GET", f"/admin/knowledge/edit?path={SOURCE}", "", (A,)),
    R("POST", "/admin/knowledge/edit", "", (A,), (("path", SOURCE), ("markdown", SOURCE_TEXT))),
    R("GET", f"/admin/knowledge/delete?path={SOURCE}", "", (A,)),
    R("POST", "/admin/knowledge/delete", "", (A,), (("path", SOURCE),)),
    R("GET", f"/admin/knowledge/versions?path={SOURCE}", "", (A,)),
    R("GET", f"/admin/knowledge/version?path={SOURCE}&version=v000001", "", (A,)),
    R("POST", "/admin/knowledge/restore", "", (A,), (("path", SOURCE), ("version", "v000001"))),
    R("POST", "/admin/knowledge/controls/delete", "", (A,), (("control_id", CONTROL_ID),)),
]


@pytest.mark.parametrize("route", CROSS_LANDLORD, ids=str)
def test_another_landlords_administrator_gets_404_and_changes_nothing(admin, route):
    # given
    _seed(admin)
    target_before = admin.users.get(LANDLORD, TARGET)
    meta_before = admin.conversations.get_meta(OURS)
    csrf = admin.sign_in_as(f"admin@{OTHER}", A, landlord=OTHER)
    # when
    response = _request(admin, route, csrf)
    # then
    assert response.status_code == 404
    assert admin.users.get(LANDLORD, TARGET) == target_before
    assert admin.conversations.get_meta(OURS) == meta_before
    assert [f.version_id for f in admin.services.sources.history(LANDLORD, SOURCE)] == ["v000001"]
    assert [c.id for c in admin.services.publishing.controls(LANDLORD)] == [CONTROL_ID]
    assert [a.answer_id for a in admin.services.validated_answers.of_landlord(LANDLORD)] == [
        VALIDATED_ID
    ]
    assert admin.services.validated_answers.of_landlord(OTHER) == []
