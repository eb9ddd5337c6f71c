"""Control questions, and the build actions: request a build, publish a held one, roll back.

A control question names the file whose answer must come back after every build; a build that
loses one is held until an administrator publishes it anyway. The admin never builds: the
confirm and rollback actions are the knowledge builder's (``Services.confirm_build``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from admin_app.deployment import AuthoringDep
from admin_app.forms import BuildForm, ControlForm, ControlIdForm, CsrfForm
from admin_app.render import render
from admin_app.routes.knowledge import STAFF_ACCESS, knowledge_page
from admin_app.routes.sources import KnowledgeEditor
from admin_app.security import Principal, ServicesDep, require
from admin_app.services import BuildAction, Services
from pierre_rag.auth.access import Capability
from pierre_rag.publishing.authoring import Authoring

router = APIRouter()
KnowledgePublisher = Annotated[Principal, Depends(require(Capability.PUBLISH_KNOWLEDGE))]
MIN_QUESTION, MAX_QUESTION = 3, 300  # ControlQuestion's bounds, said in French
NOTICES = {"added": "Question ajoutée.", "deleted": "Question supprimée."}


def _expected_files(authoring: Authoring, svc: Services, landlord: str) -> list[str]:
    """The files a control question may expect: the landlord's sources (as the datastore names
    them, ``<landlord>/<path>``) and the community files."""
    own = [f"{landlord}/{source.path}" for source in authoring.sources.list(landlord)]
    community = [
        entry.file
        for entry in svc.browser(landlord).files(landlord, STAFF_ACCESS)
        if entry.landlord is None
    ]
    return sorted(set(own)) + sorted(set(community) - set(own))


def _controls_page(
    request: Request,
    principal: Principal,
    svc: Services,
    authoring: Authoring,
    *,
    notice: str = "",
    error: str = "",
    question: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "knowledge_controls.html",
        principal,
        controls=authoring.publishing.controls(principal.landlord),
        files=_expected_files(authoring, svc, principal.landlord),
        question=question,
        notice=notice,
        error=error,
        status_code=status_code,
    )


@router.get("/admin/knowledge/controls")
def controls(
    request: Request,
    principal: KnowledgeEditor,
    authoring: AuthoringDep,
    svc: ServicesDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return _controls_page(request, principal, svc, authoring, notice=NOTICES.get(done, ""))


@router.post("/admin/knowledge/controls")
def add_control(
    request: Request,
    form: Annotated[ControlForm, Form()],
    principal: KnowledgeEditor,
    authoring: AuthoringDep,
    svc: ServicesDep,
) -> Response:
    question, error = form.question.strip(), ""
    if not MIN_QUESTION <= len(question) <= MAX_QUESTION:
        error = f"Question refusée : de {MIN_QUESTION} à {MAX_QUESTION} caractères."
    elif form.expected_file not in _expected_files(authoring, svc, principal.landlord):
        error = "Fichier attendu inconnu : choisissez-le dans la liste."
    else:
        authoring.add_control(principal.landlord, question, form.expected_file, principal.email)
    if error:
        return _controls_page(
            request, principal, svc, authoring, error=error, question=form.question, status_code=400
        )
    return RedirectResponse("/admin/knowledge/controls?done=added", status_code=303)


@router.post("/admin/knowledge/controls/delete")
def delete_control(
    request: Request,
    form: Annotated[ControlIdForm, Form()],
    principal: KnowledgeEditor,
    authoring: AuthoringDep,
) -> Response:
    if not authoring.delete_control(principal.landlord, form.control_id, principal.email):
        return render(
            request, "error.html", principal, title="Question introuvable", status_code=404
        )
    return RedirectResponse("/admin/knowledge/controls?done=deleted", status_code=303)


@router.post("/admin/knowledge/build")
def request_build(
    request: Request,
    form: Annotated[CsrfForm, Form()],
    principal: KnowledgeEditor,
    authoring: AuthoringDep,
    svc: ServicesDep,
) -> Response:
    """ "Reconstruire": a build of the current sources (after a control question changed)."""
    build = authoring.request_build(principal.landlord, principal.email)
    if build.error:
        return knowledge_page(request, principal, svc, error=build.error, status_code=503)
    return RedirectResponse("/admin/knowledge?done=build", status_code=303)


def _build_action(
    request: Request,
    principal: Principal,
    svc: Services,
    action: BuildAction,
    build_id: str,
    done: str,
) -> Response:
    error = action(principal.landlord, build_id, principal.email)
    if error:
        return knowledge_page(
            request, principal, svc, error=f"Action refusée : {error}.", status_code=409
        )
    return RedirectResponse(f"/admin/knowledge?done={done}", status_code=303)


@router.post("/admin/knowledge/builds/confirm")
def confirm_build(
    request: Request,
    form: Annotated[BuildForm, Form()],
    principal: KnowledgePublisher,
    svc: ServicesDep,
) -> Response:
    """ "Publier quand même": a build held by a lost control question goes live."""
    return _build_action(request, principal, svc, svc.confirm_build, form.build_id, "confirmed")


@router.post("/admin/knowledge/builds/rollback")
def rollback_build(
    request: Request,
    form: Annotated[BuildForm, Form()],
    principal: KnowledgePublisher,
    svc: ServicesDep,
) -> Response:
    """ "Revenir à cette version": the pointer moves back to a kept build."""
    return _build_action(request, principal, svc, svc.rollback_build, form.build_id, "rolledback")
