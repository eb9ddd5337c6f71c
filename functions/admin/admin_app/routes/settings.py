"""Administrators edit their landlord's settings (greeting, examples, handoff contact and
hours, colours, widget origins) over its landlord file, served without a redeploy.

The edit is stored in the knowledge table (``PublishingRepository.landlord_settings``) with a
revision: a save names the revision its form was read at, so two administrators saving at once
cannot overwrite each other unseen. Every save and every return to the file is in the history.
The chat, the SMS worker and the admin serve it within 30 s (``pierre_rag.landlord_overrides``).
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from admin_app.render import render
from admin_app.security import Principal, ServicesDep, require
from admin_app.services import Services
from admin_app.settings_form import SettingsForm, changed_parts, field_errors
from pierre_rag.auth.access import Capability
from pierre_rag.landlord_settings import (
    LandlordSettingsEdit,
    SettingsEditError,
    apply_settings,
    effective_config,
)
from pierre_rag.landlords import LandlordConfig
from pierre_rag.publishing.models import Change, ChangeAction
from pierre_rag.publishing.ports import PointerMovedError, PublishingRepository

logger = logging.getLogger(__name__)
router = APIRouter()
SettingsEditor = Annotated[Principal, Depends(require(Capability.EDIT_SETTINGS))]
NOTICES = {
    "saved": "Réglages enregistrés : le chat et les SMS les utilisent d'ici 30 secondes.",
    "unchanged": "Rien n'a changé : les réglages sont les mêmes.",
    "reset": "Les réglages du fichier de déploiement sont rétablis (d'ici 30 secondes).",
}
NOT_DEPLOYED = (
    "La modification des réglages n'est pas déployée ici : ils viennent du fichier "
    "landlord.yaml du déploiement."
)
SAVED_MEANWHILE = (
    "Quelqu'un a enregistré les réglages pendant que vous les modifiiez : rien n'est "
    "enregistré. Vos valeurs sont ci-dessous ; vérifiez-les, puis enregistrez à nouveau "
    "pour remplacer les siennes."
)


class _Current:
    """The landlord's file config, its stored edit and what is served from them."""

    def __init__(self, seed: LandlordConfig, publishing: PublishingRepository | None) -> None:
        self.seed = seed
        stored = publishing.landlord_settings(seed.id) if publishing else None
        self.revision = stored[1] if stored else 0
        self.edited = stored is not None
        self.problem = ""
        try:
            self.config = effective_config(seed, stored[0] if stored else None)
        except ValueError as error:
            logger.error("landlord %s: stored settings no longer apply: %s", seed.id, error)
            self.config = seed
            self.problem = (
                "Les réglages enregistrés ne s'appliquent plus à ce déploiement : ceux du "
                "fichier sont servis. Enregistrez le formulaire pour les remplacer."
            )


def _current(svc: Services, principal: Principal) -> _Current:
    return _Current(svc.landlords.from_file(principal.landlord), svc.publishing)


def _page(
    request: Request,
    principal: Principal,
    svc: Services,
    current: _Current,
    form: SettingsForm,
    *,
    errors: dict[str, list[str]] | None = None,
    error: str = "",
    notice: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "settings.html",
        principal,
        form=form,
        errors=errors or {},
        error=error or current.problem,
        notice=notice,
        edited=current.edited,
        deployed=svc.publishing is not None,
        not_deployed=NOT_DEPLOYED,
        status_code=status_code,
    )


@router.get("/admin/settings")
def show_settings(
    request: Request,
    principal: SettingsEditor,
    svc: ServicesDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    current = _current(svc, principal)
    form = SettingsForm.of(current.config, current.revision)
    return _page(request, principal, svc, current, form, notice=NOTICES.get(done, ""))


@router.post("/admin/settings")
async def save_settings(request: Request, principal: SettingsEditor, svc: ServicesDep) -> Response:
    current = _current(svc, principal)
    form = SettingsForm.submitted(await request.form(), current.seed)
    publishing = svc.publishing
    if publishing is None:
        return _page(request, principal, svc, current, form, error=NOT_DEPLOYED, status_code=503)
    if form.revision < 0:
        return _page(
            request, principal, svc, current, form, error="Formulaire incomplet.", status_code=400
        )
    try:
        edit = LandlordSettingsEdit.model_validate(form.data())
        apply_settings(current.seed, edit)
    except ValidationError as invalid:
        return _page(
            request,
            principal,
            svc,
            current,
            form,
            errors=field_errors(invalid),
            error="Certains champs sont refusés : rien n'est enregistré.",
            status_code=400,
        )
    except SettingsEditError as refused:
        return _page(request, principal, svc, current, form, error=str(refused), status_code=400)
    before = LandlordSettingsEdit.of(current.config)
    if edit == before and form.revision == current.revision and not current.problem:
        return RedirectResponse("/admin/settings?done=unchanged", status_code=303)
    try:
        revision = publishing.save_landlord_settings(
            principal.landlord, edit.to_stored(), form.revision
        )
    except PointerMovedError:
        form.revision = current.revision  # a new submission replaces theirs, knowingly
        return _page(request, principal, svc, current, form, error=SAVED_MEANWHILE, status_code=409)
    parts = changed_parts(before, edit) or ["aucune différence avec les réglages servis"]
    _record(svc, publishing, principal, revision, form.revision, "Réglages : " + "; ".join(parts))
    return RedirectResponse("/admin/settings?done=saved", status_code=303)


@router.get("/admin/settings/reset")
def confirm_reset(request: Request, principal: SettingsEditor, svc: ServicesDep) -> Response:
    current = _current(svc, principal)
    return render(
        request,
        "settings_reset.html",
        principal,
        revision=current.revision,
        edited=current.edited,
        deployed=svc.publishing is not None,
    )


@router.post("/admin/settings/reset")
async def reset_settings(request: Request, principal: SettingsEditor, svc: ServicesDep) -> Response:
    """Back to the landlord file: the stored edit is removed (it stays in the history)."""
    current = _current(svc, principal)
    submitted = (await request.form()).get("revision", "")
    publishing = svc.publishing
    if publishing is None or not isinstance(submitted, str) or not submitted.isdigit():
        form = SettingsForm.of(current.config, current.revision)
        error = NOT_DEPLOYED if publishing is None else "Formulaire incomplet."
        status = 503 if publishing is None else 400
        return _page(request, principal, svc, current, form, error=error, status_code=status)
    if not current.edited:
        return RedirectResponse("/admin/settings?done=reset", status_code=303)
    try:
        publishing.delete_landlord_settings(principal.landlord, int(submitted))
    except PointerMovedError:
        form = SettingsForm.of(current.config, current.revision)
        error = (
            "Quelqu'un a enregistré les réglages entre-temps : rien n'est changé. "
            "Voici les réglages servis maintenant."
        )
        return _page(request, principal, svc, current, form, error=error, status_code=409)
    _record(svc, publishing, principal, 0, int(submitted), "Retour au fichier de déploiement")
    return RedirectResponse("/admin/settings?done=reset", status_code=303)


def _record(
    svc: Services,
    publishing: PublishingRepository,
    principal: Principal,
    revision: int,
    previous: int,
    detail: str,
) -> None:
    publishing.record_change(
        Change(
            landlord=principal.landlord,
            at_ms=int(svc.clock() * 1000),
            actor=principal.email,
            action=ChangeAction.SETTINGS,
            version_id=str(revision) if revision else "",
            previous_version_id=str(previous) if previous else "",
            detail=detail[:500],
        )
    )
