"""The history of a landlord's knowledge: every change, each file's versions, restoring one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from admin_app.deployment import AuthoringDep
from admin_app.forms import RestoreForm
from admin_app.render import render
from admin_app.routes.sources import KnowledgeEditor
from admin_app.security import Principal, require
from pierre_rag.auth.access import Capability, may
from pierre_rag.publishing.drafts import is_source_path
from pierre_rag.publishing.models import BuildStatus, ChangeAction
from pierre_rag.publishing.ports import SourceNotFoundError

router = APIRouter()
KnowledgeReader = Annotated[Principal, Depends(require(Capability.BROWSE_KNOWLEDGE))]
CHANGES_SHOWN = 100
ACTION_LABELS = {
    ChangeAction.UPLOAD: "ajout",
    ChangeAction.REPLACE: "remplacement",
    ChangeAction.DELETE: "suppression",
    ChangeAction.SEED: "import initial",
    ChangeAction.BUILD_REQUESTED: "reconstruction demandée",
    ChangeAction.PUBLISH: "publication",
    ChangeAction.CONFIRM: "publication confirmée",
    ChangeAction.ROLLBACK: "retour arrière",
    ChangeAction.CONTROL_ADDED: "question de contrôle ajoutée",
    ChangeAction.CONTROL_DELETED: "question de contrôle supprimée",
    ChangeAction.SETTINGS: "réglages modifiés",
}
NOT_FOUND = "Fichier introuvable"


@router.get("/admin/knowledge/history")
def history(request: Request, principal: KnowledgeReader, authoring: AuthoringDep) -> Response:
    """The landlord's changes, newest first."""
    return render(
        request,
        "knowledge_history.html",
        principal,
        changes=authoring.publishing.changes(principal.landlord, CHANGES_SHOWN),
        action_labels=ACTION_LABELS,
    )


@router.get("/admin/knowledge/versions")
def versions(
    request: Request,
    principal: KnowledgeReader,
    authoring: AuthoringDep,
    path: Annotated[str, Query(max_length=120)],
) -> Response:
    """One file's versions, newest first (deletions included)."""
    found = authoring.sources.history(principal.landlord, path) if is_source_path(path) else []
    if not found:
        return render(request, "error.html", principal, title=NOT_FOUND, status_code=404)
    return render(
        request,
        "source_versions.html",
        principal,
        path=path,
        versions=found,
        may_edit=may(principal.role, Capability.EDIT_KNOWLEDGE),
    )


@router.get("/admin/knowledge/version")
def version(
    request: Request,
    principal: KnowledgeReader,
    authoring: AuthoringDep,
    path: Annotated[str, Query(max_length=120)],
    version: Annotated[str, Query(max_length=1024, pattern=r"^[A-Za-z0-9._-]+$")],
) -> Response:
    """An old version's Markdown, as text."""
    try:
        if not is_source_path(path):
            raise SourceNotFoundError(path)
        body = authoring.sources.read(principal.landlord, path, version)
    except SourceNotFoundError:
        return render(request, "error.html", principal, title=NOT_FOUND, status_code=404)
    return render(
        request,
        "source_version.html",
        principal,
        path=path,
        version=version,
        markdown=body.decode("utf-8", "replace"),
    )


@router.post("/admin/knowledge/restore")
def restore(
    request: Request,
    form: Annotated[RestoreForm, Form()],
    principal: KnowledgeEditor,
    authoring: AuthoringDep,
) -> Response:
    """The chosen version becomes the file's new current version, and a build is requested."""
    try:
        restored = authoring.restore(principal.landlord, form.path, form.version, principal.email)
    except SourceNotFoundError:
        return render(request, "error.html", principal, title=NOT_FOUND, status_code=404)
    done = "notrequested" if restored.build.status is BuildStatus.FAILED else "restored"
    return RedirectResponse(f"/admin/knowledge?done={done}", status_code=303)
