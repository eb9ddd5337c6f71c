"""Administrators manage their landlord's staff accounts (never another landlord's)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from admin_app.forms import CreateUserForm, ImportForm, UserForm, UserRoleForm
from admin_app.render import render
from admin_app.security import Principal, ServicesDep, require
from admin_app.services import Services
from pierre_rag.auth.access import Capability
from pierre_rag.auth.landlord_domains import foreign_address_problem
from pierre_rag.auth.passwords import (
    generate_password,
    hash_one_time_password,
    hash_password,
    password_problem,
)
from pierre_rag.auth.user_import import (
    ImportTooLargeError,
    parse_role,
    parse_users_csv,
)
from pierre_rag.auth.users import (
    DuplicateUserError,
    UserNotFoundError,
    is_valid_email,
    normalise_email,
)

logger = logging.getLogger(__name__)
router = APIRouter()
UserManager = Annotated[Principal, Depends(require(Capability.MANAGE_USERS))]
NOTICES = {
    "role": "Rôle modifié.",
    "deleted": "Compte supprimé.",
    "created": "Compte créé.",
}


def _users_page(
    request: Request,
    principal: Principal,
    svc: Services,
    *,
    error: str = "",
    notice: str = "",
    one_time: tuple[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "users.html",
        principal,
        users=svc.users.list(principal.landlord),
        error=error,
        notice=notice,
        one_time=one_time,
        status_code=status_code,
    )


@router.get("/admin/users")
def list_users(
    request: Request,
    principal: UserManager,
    svc: ServicesDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    return _users_page(request, principal, svc, notice=NOTICES.get(done, ""))


@router.post("/admin/users")
def create_user(
    request: Request,
    form: Annotated[CreateUserForm, Form()],
    principal: UserManager,
    svc: ServicesDep,
) -> Response:
    email = normalise_email(form.email)
    role = parse_role(form.role)
    error = ""
    foreign = foreign_address_problem(email, principal.landlord, svc.landlords.ids)
    if not is_valid_email(email):
        error = "Adresse e-mail invalide."
    elif foreign:
        error = f"Adresse refusée : {foreign}."
    elif role is None:
        error = "Rôle inconnu."
    password = form.password if form.mode == "set" else generate_password()
    if not error and form.mode == "set":
        error = password_problem(password, email=email) or ""
    if error or role is None:
        return _users_page(request, principal, svc, error=error, status_code=400)
    hashed = hash_password(password) if form.mode == "set" else hash_one_time_password(password)
    try:
        svc.users.create(principal.landlord, email, role, hashed, name=form.name)
    except DuplicateUserError:
        return _users_page(
            request,
            principal,
            svc,
            error="Un compte existe déjà pour cette adresse.",
            status_code=409,
        )
    if form.mode == "set":
        return RedirectResponse("/admin/users?done=created", status_code=303)
    return _users_page(request, principal, svc, notice="Compte créé.", one_time=(email, password))


@router.post("/admin/users/role")
def change_role(
    request: Request,
    form: Annotated[UserRoleForm, Form()],
    principal: UserManager,
    svc: ServicesDep,
) -> Response:
    email = normalise_email(form.email)
    role = parse_role(form.role)
    if role is None:
        return _users_page(request, principal, svc, error="Rôle inconnu.", status_code=400)
    if email == principal.email:
        return _users_page(
            request,
            principal,
            svc,
            error="Vous ne pouvez pas changer votre propre rôle.",
            status_code=400,
        )
    try:
        svc.users.set_role(principal.landlord, email, role)
    except UserNotFoundError:
        return _users_page(request, principal, svc, error="Compte introuvable.", status_code=404)
    return RedirectResponse("/admin/users?done=role", status_code=303)


@router.post("/admin/users/password")
def reset_password(
    request: Request, form: Annotated[UserForm, Form()], principal: UserManager, svc: ServicesDep
) -> Response:
    """A new one-time password, shown once on this response and never again."""
    email = normalise_email(form.email)
    password = generate_password()
    try:
        svc.users.set_password(
            principal.landlord, email, hash_one_time_password(password), must_change_password=True
        )
    except UserNotFoundError:
        return _users_page(request, principal, svc, error="Compte introuvable.", status_code=404)
    return _users_page(
        request, principal, svc, notice="Mot de passe réinitialisé.", one_time=(email, password)
    )


@router.get("/admin/users/delete")
def confirm_delete_user(
    request: Request,
    principal: UserManager,
    svc: ServicesDep,
    email: Annotated[str, Query(max_length=254)],
) -> Response:
    user = svc.users.get(principal.landlord, email)
    if user is None:
        return render(request, "error.html", principal, title="Compte introuvable", status_code=404)
    return render(request, "user_delete.html", principal, user=user)


@router.post("/admin/users/delete")
def delete_user(
    request: Request, form: Annotated[UserForm, Form()], principal: UserManager, svc: ServicesDep
) -> Response:
    email = normalise_email(form.email)
    if email == principal.email:
        return _users_page(
            request,
            principal,
            svc,
            error="Vous ne pouvez pas supprimer votre propre compte.",
            status_code=400,
        )
    try:
        svc.users.delete(principal.landlord, email)
    except UserNotFoundError:
        return _users_page(request, principal, svc, error="Compte introuvable.", status_code=404)
    return RedirectResponse("/admin/users?done=deleted", status_code=303)


@router.get("/admin/users/import")
def import_form(request: Request, principal: UserManager) -> Response:
    return render(request, "users_import.html", principal, rows=None, csv_text="", error="")


@router.post("/admin/users/import")
async def import_users(
    request: Request,
    form: Annotated[ImportForm, Form()],
    principal: UserManager,
    svc: ServicesDep,
    csv_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """``preview`` parses and checks; ``confirm`` re-checks the same text, then creates."""
    text = form.csv_text
    if csv_file is not None and csv_file.filename:
        raw = await csv_file.read(100_001)
        text = raw.decode("utf-8", errors="replace")
    existing = {user.email for user in svc.users.list(principal.landlord)}
    try:
        rows = parse_users_csv(
            text, existing, landlord=principal.landlord, landlords=svc.landlords.ids
        )
    except ImportTooLargeError as too_large:
        return render(
            request,
            "users_import.html",
            principal,
            rows=None,
            csv_text="",
            error=f"Import refusé : {too_large}.",
            status_code=400,
        )
    valid = bool(rows) and all(row.error is None for row in rows)
    if form.action == "preview" or not valid:
        error = "" if valid or not rows else "Corrigez les lignes en erreur : rien n'a été créé."
        if not rows:
            error = "Aucune ligne à importer."
        return render(
            request,
            "users_import.html",
            principal,
            rows=rows,
            csv_text=text,
            error=error,
            status_code=200 if valid else 400,
        )
    created: list[tuple[str, str]] = []
    failed: list[tuple[int, str, str]] = []
    for row in rows:
        assert row.role is not None
        password = generate_password()
        hashed = hash_one_time_password(password)  # microseconds: 200 rows fit the timeout
        try:
            svc.users.create(principal.landlord, row.email, row.role, hashed, name=row.name)
            created.append((row.email, password))
        except DuplicateUserError:
            failed.append((row.line, row.email, "un compte existe déjà"))
        except Exception:  # a failed write must not lose the passwords of the accounts made
            logger.exception("user import: row %d not created", row.line)
            failed.append((row.line, row.email, "écriture impossible, réimportez cette ligne"))
    return render(request, "users_imported.html", principal, created=created, failed=failed)
