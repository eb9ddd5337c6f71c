"""Login, logout, password change, and the bootstrap of a landlord's first administrator."""

from __future__ import annotations

import contextlib
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from admin_app.forms import LoginForm, PasswordForm
from admin_app.menu import home_for
from admin_app.render import render
from admin_app.security import (
    CsrfError,
    Principal,
    client_ip,
    cookie_secure,
    read_principal,
    require,
    services,
)
from admin_app.services import Services
from pierre_rag.auth.access import Capability, StaffRole
from pierre_rag.auth.bootstrap import bootstrap_address
from pierre_rag.auth.csrf import LOGIN_COOKIE, new_token, tokens_match
from pierre_rag.auth.passwords import hash_password, password_problem, verify_password
from pierre_rag.auth.sessions import SessionCodec
from pierre_rag.auth.users import DuplicateUserError, User, UserNotFoundError, normalise_email

logger = logging.getLogger(__name__)
router = APIRouter()


@router.get("/admin")
def root(request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
    principal = read_principal(request, svc)
    if principal is None:
        return RedirectResponse("/admin/login", status_code=303)
    if principal.user.must_change_password:
        return RedirectResponse("/admin/password", status_code=303)
    return RedirectResponse(home_for(principal.role), status_code=303)


def _login_page(request: Request, *, error: str = "", status_code: int = 200) -> Response:
    token = new_token()
    response = render(request, "login.html", login_csrf=token, error=error, status_code=status_code)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=1800,
        path="/admin",
        secure=cookie_secure(request),
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/admin/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


def _bootstrap(svc: Services, email: str, password: str) -> User | None:
    """``admin@<landlord id>`` + that landlord's own bootstrap secret, while the landlord has
    no account at all, creates its first administrator, who must then choose a new password."""
    landlord = email.partition("@")[2]
    if landlord not in svc.landlords.ids or email != bootstrap_address(landlord):
        return None
    secret = svc.bootstrap_password(landlord)
    if not tokens_match(secret, password) or svc.users.has_users(landlord):
        return None
    try:
        return svc.users.create(
            landlord, email, StaffRole.ADMINISTRATOR, hash_password(password), name="Administrateur"
        )
    except DuplicateUserError:
        return None


def _authenticate(svc: Services, email: str, password: str) -> User | None:
    landlord = svc.users.landlord_of(email)
    user = svc.users.get(landlord, email) if landlord else None
    if user is None:
        verify_password(None, password)  # same cost as a real check: no account enumeration
        return _bootstrap(svc, email, password)
    return user if verify_password(user.password_hash, password) else None


def _signed_in_response(request: Request, codec: SessionCodec, user: User) -> Response:
    token, _ = codec.issue(user)
    target = "/admin/password" if user.must_change_password else home_for(user.role)
    response = RedirectResponse(target, status_code=303)
    secure = cookie_secure(request)
    response.headers.append("set-cookie", codec.cookie_header(token, secure=secure))
    response.delete_cookie(LOGIN_COOKIE, path="/admin", secure=secure, httponly=True)
    return response


@router.post("/admin/login")
def login(
    request: Request,
    form: Annotated[LoginForm, Form()],
    svc: Services = Depends(services),  # noqa: B008
) -> Response:
    if not tokens_match(request.cookies.get(LOGIN_COOKIE), form.csrf):
        raise CsrfError
    email = normalise_email(form.email)
    ip = client_ip(request, svc)
    wait = svc.throttle.retry_after_s(email, ip)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        response = _login_page(
            request,
            error=f"Trop de tentatives. Réessayez dans {minutes} minute(s).",
            status_code=429,
        )
        response.headers["retry-after"] = str(wait)
        logger.warning("staff sign-in throttled")  # never the address nor the client's IP
        return response
    user = _authenticate(svc, email, form.password)
    if user is None:
        svc.throttle.record_failure(email, ip)
        logger.warning("staff sign-in refused")
        return _login_page(
            request, error="Adresse e-mail ou mot de passe incorrect.", status_code=401
        )
    svc.throttle.record_success(email)
    logger.info("staff signed in", extra={"landlord": user.landlord, "role": user.role.value})
    return _signed_in_response(request, svc.codec, user)


@router.post("/admin/logout")
def logout(
    request: Request,
    principal: Principal = Depends(require(Capability.MANAGE_OWN_ACCOUNT)),  # noqa: B008
    svc: Services = Depends(services),  # noqa: B008
) -> Response:
    """Ends every session of the account (this cookie, and any copy or other device)."""
    with contextlib.suppress(UserNotFoundError):  # deleted meanwhile: its sessions are over
        svc.users.end_sessions(principal.landlord, principal.email)
    response = RedirectResponse("/admin/login", status_code=303)
    response.headers.append(
        "set-cookie", SessionCodec.clear_cookie_header(secure=cookie_secure(request))
    )
    return response


@router.get("/admin/password")
def password_form(
    request: Request,
    principal: Principal = Depends(require(Capability.MANAGE_OWN_ACCOUNT)),  # noqa: B008
) -> Response:
    return render(request, "password.html", principal, error="")


@router.post("/admin/password")
def change_password(
    request: Request,
    form: Annotated[PasswordForm, Form()],
    principal: Principal = Depends(require(Capability.MANAGE_OWN_ACCOUNT)),  # noqa: B008
    svc: Services = Depends(services),  # noqa: B008
) -> Response:
    user = principal.user
    error = ""
    if not verify_password(user.password_hash, form.current):
        error = "Le mot de passe actuel est incorrect."
    elif form.new != form.confirm:
        error = "Les deux nouveaux mots de passe ne sont pas identiques."
    elif form.new == form.current:
        error = "Le nouveau mot de passe doit être différent de l'actuel."
    else:
        error = (
            password_problem(
                form.new, email=user.email, forbidden=(svc.bootstrap_password(user.landlord) or "",)
            )
            or ""
        )
    if error:
        return render(request, "password.html", principal, error=error, status_code=400)
    svc.users.set_password(
        user.landlord, user.email, hash_password(form.new), must_change_password=False
    )
    refreshed = svc.users.get(user.landlord, user.email)
    assert refreshed is not None
    return _signed_in_response(request, svc.codec, refreshed)
