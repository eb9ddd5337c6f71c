"""A landlord's sources: upload or edit, preview the chunks, publish, delete.

Every way in (an uploaded file, the editor) ends on the same preview page, whose "Publier"
form carries the Markdown back: the admin keeps no state between the two requests, so the
publish route checks that Markdown again before storing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from admin_app.deployment import AuthoringDep
from admin_app.forms import DraftForm, EditForm, SourceForm, UploadForm
from admin_app.render import render
from admin_app.routes.knowledge import ACCESS_LABELS
from admin_app.security import Principal, require
from pierre_rag.auth.access import Capability
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.knowledge.uploads import SUPPORTED, UploadLimits, UploadRefused, convert
from pierre_rag.publishing.authoring import Authoring, SourceConflictError
from pierre_rag.publishing.drafts import (
    checked_source,
    is_source_path,
    preview_chunks,
    source_path,
)
from pierre_rag.publishing.models import BuildStatus, source_access
from pierre_rag.publishing.ports import SourceNotFoundError

router = APIRouter()
KnowledgeEditor = Annotated[Principal, Depends(require(Capability.EDIT_KNOWLEDGE))]
UPLOAD_LIMITS = UploadLimits()


class _CollisionError(UploadRefused):
    """A new file would take an existing file's path (409: replace it instead)."""


CONFLICT = {
    False: "Un fichier porte déjà ce nom : choisissez-le comme fichier à remplacer.",
    True: "Ce fichier n'existe plus : il a été supprimé entre-temps.",
}


def _upload_page(
    request: Request,
    principal: Principal,
    authoring: Authoring,
    *,
    error: str = "",
    target: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "source_upload.html",
        principal,
        sources=authoring.sources.list(principal.landlord),
        supported=", ".join(SUPPORTED),
        accept=",".join(SUPPORTED),
        max_mib=UPLOAD_LIMITS.max_bytes // (1024 * 1024),
        target=target,
        error=error,
        status_code=status_code,
    )


def _preview(
    request: Request,
    principal: Principal,
    path: str,
    markdown: str,
    *,
    replace: bool,
    warnings: Sequence[str] = (),
) -> Response:
    return render(
        request,
        "source_preview.html",
        principal,
        path=path,
        access=ACCESS_LABELS[source_access(path)],
        markdown=markdown,
        replace=replace,
        chunks=preview_chunks(markdown),
        warnings=warnings,
    )


@router.get("/admin/knowledge/upload")
def upload_form(
    request: Request,
    principal: KnowledgeEditor,
    authoring: AuthoringDep,
    target: Annotated[str, Query(max_length=120)] = "",
) -> Response:
    return _upload_page(request, principal, authoring, target=target)


@router.post("/admin/knowledge/upload")
async def upload(
    request: Request,
    form: Annotated[UploadForm, Form()],
    principal: KnowledgeEditor,
    authoring: AuthoringDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Convert the file and show the chunks it gives; nothing is stored yet."""
    data = b""
    try:
        if file is None or not file.filename:
            raise UploadRefused("aucun fichier choisi")
        data = await file.read(UPLOAD_LIMITS.max_bytes + 1)
        converted = convert(file.filename, data, limits=UPLOAD_LIMITS)
        path = _upload_path(authoring, principal.landlord, form, file.filename)
        markdown = checked_source(path, converted.markdown, principal.landlord)
    except UploadRefused as refused:
        status = 413 if len(data) > UPLOAD_LIMITS.max_bytes else 400
        if isinstance(refused, _CollisionError):
            status = 409
        return _upload_page(
            request,
            principal,
            authoring,
            error=f"Fichier refusé : {refused.reason}.",
            target=form.target,
            status_code=status,
        )
    replace = bool(form.target)
    return _preview(
        request, principal, path, markdown, replace=replace, warnings=converted.warnings
    )


def _upload_path(authoring: Authoring, landlord: str, form: UploadForm, filename: str) -> str:
    """The replaced file's path, or a new path from the file name (never an existing one)."""
    if form.target:
        if not is_source_path(form.target) or authoring.current(landlord, form.target) is None:
            raise UploadRefused("le fichier à remplacer n'existe pas")
        return form.target
    path = source_path(AccessLevel(form.access), filename)
    if authoring.current(landlord, path) is not None:
        raise _CollisionError(f"un fichier {path} existe déjà : remplacez-le ou renommez le vôtre")
    return path


@router.post("/admin/knowledge/publish")
def publish(
    request: Request,
    form: Annotated[DraftForm, Form()],
    principal: KnowledgeEditor,
    authoring: AuthoringDep,
) -> Response:
    """Check the previewed Markdown again, store it, record the change, ask for a build."""
    try:
        markdown = checked_source(form.path, form.markdown, principal.landlord)
        published = authoring.publish(
            principal.landlord, form.path, markdown, principal.email, replace=form.replace
        )
    except UploadRefused as refused:
        return render(
            request,
            "error.html",
            principal,
            title="Publication refusée",
            message=f"{refused.reason}.",
            status_code=400,
        )
    except SourceConflictError:
        return render(
            request,
            "error.html",
            principal,
            title="Publication refusée",
            message=CONFLICT[form.replace],
            status_code=409,
        )
    done = "notrequested" if published.build.status is BuildStatus.FAILED else "published"
    return RedirectResponse(f"/admin/knowledge?done={done}", status_code=303)


@router.get("/admin/knowledge/edit")
def editor(
    request: Request,
    principal: KnowledgeEditor,
    authoring: AuthoringDep,
    path: Annotated[str, Query(max_length=120)] = "",
) -> Response:
    """The Markdown of ``path`` (or a new page) with a live preview (editor.js)."""
    markdown = ""
    if path:
        try:
            if not is_source_path(path):
                raise SourceNotFoundError(path)
            markdown = authoring.sources.read(principal.landlord, path).decode("utf-8", "replace")
        except SourceNotFoundError:
            return render(
                request, "error.html", principal, title="Fichier introuvable", status_code=404
            )
    return _editor_page(request, principal, path=path, markdown=markdown)


def _editor_page(
    request: Request,
    principal: Principal,
    *,
    path: str,
    markdown: str,
    access: str = "public",
    name: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "source_edit.html",
        principal,
        path=path,
        markdown=markdown,
        access=access,
        name=name,
        error=error,
        status_code=status_code,
    )


@router.post("/admin/knowledge/edit")
def preview_edit(
    request: Request,
    form: Annotated[EditForm, Form()],
    principal: KnowledgeEditor,
    authoring: AuthoringDep,
) -> Response:
    """The editor's "Prévisualiser": the same checks and preview page as an upload."""
    replace = bool(form.path)
    if replace and (
        not is_source_path(form.path) or authoring.current(principal.landlord, form.path) is None
    ):
        return render(
            request, "error.html", principal, title="Fichier introuvable", status_code=404
        )
    try:
        if replace:
            path = form.path
        else:
            path = source_path(AccessLevel(form.access), f"{form.name}.md")
            if authoring.current(principal.landlord, path) is not None:
                raise UploadRefused(f"un fichier {path} existe déjà : choisissez un autre nom")
        markdown = checked_source(path, form.markdown, principal.landlord)
    except UploadRefused as refused:
        return _editor_page(
            request,
            principal,
            path=form.path if is_source_path(form.path) else "",
            markdown=form.markdown,
            access=form.access,
            name=form.name,
            error=f"Page refusée : {refused.reason}.",
            status_code=400,
        )
    return _preview(request, principal, path, markdown, replace=replace)


@router.get("/admin/knowledge/delete")
def confirm_delete(
    request: Request,
    principal: KnowledgeEditor,
    authoring: AuthoringDep,
    path: Annotated[str, Query(max_length=120)],
) -> Response:
    source = authoring.current(principal.landlord, path) if is_source_path(path) else None
    if source is None:
        return render(
            request, "error.html", principal, title="Fichier introuvable", status_code=404
        )
    return render(
        request, "source_delete.html", principal, source=source, access_labels=ACCESS_LABELS
    )


@router.post("/admin/knowledge/delete")
def delete(
    request: Request,
    form: Annotated[SourceForm, Form()],
    principal: KnowledgeEditor,
    authoring: AuthoringDep,
) -> Response:
    try:
        authoring.delete(principal.landlord, form.path, principal.email)
    except SourceConflictError:
        return render(
            request, "error.html", principal, title="Fichier introuvable", status_code=404
        )
    return RedirectResponse("/admin/knowledge?done=deleted", status_code=303)
