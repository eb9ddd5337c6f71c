"""Who is asking: session cookie → principal (checked against the users table on every
request), role guards, CSRF checks, the cookie's Secure flag and the client IP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, Request

from admin_app.services import Services
from pierre_rag.auth.csrf import tokens_match
from pierre_rag.auth.roles import Role
from pierre_rag.auth.sessions import COOKIE_NAME, Session
from pierre_rag.auth.users import User
from pierre_rag.transport import is_local_plain_http


class LoginRequiredError(Exception):
    """No valid session: pages redirect to the login form, other requests get 401."""


class ForbiddenError(Exception):
    """Valid session, but this role may not do that (403)."""


class PasswordChangeRequiredError(Exception):
    """The account must choose a new password before anything else."""


class CsrfError(Exception):
    """A state-changing request without this session's CSRF token (403, nothing changed)."""


@dataclass(frozen=True)
class Principal:
    session: Session
    user: User

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def tenant(self) -> str:
        return self.user.tenant

    @property
    def email(self) -> str:
        return self.user.email


def services(request: Request) -> Services:
    factory: Callable[[], Services] = request.app.state.services
    return factory()


def cookie_secure(request: Request) -> bool:
    """Secure everywhere except plain HTTP on the local machine (``make dev``)."""
    return not is_local_plain_http(request.headers)


def client_ip(request: Request, svc: Services) -> str:
    """The caller's IP for lock-out counters, by the layer's one rule (``pierre_rag.client_ip``):
    never a header the caller chose, such as ``X-Forwarded-For``."""
    return svc.client_ip.client_ip(request.client.host if request.client else None, request.headers)


def read_principal(request: Request, svc: Services) -> Principal | None:
    """The signed-in user, or None when the cookie is absent, forged, expired or stale.

    Stale: the account was deleted, its role changed, or its password was reset since.
    """
    session = svc.codec.read(request.cookies.get(COOKIE_NAME))
    if session is None or session.tenant not in svc.tenants.ids:
        return None
    user = svc.users.get(session.tenant, session.email)
    if user is None or user.role != session.role or session.issued_at < user.sessions_after_s:
        return None
    return Principal(session, user)


def _principal(request: Request, svc: Services = Depends(services)) -> Principal:  # noqa: B008
    principal = read_principal(request, svc)
    if principal is None:
        raise LoginRequiredError
    return principal


def require(
    *roles: Role, allow_pending_password: bool = False
) -> Callable[..., Awaitable[Principal]]:
    """Dependency: a principal with one of ``roles``; on POST also a valid CSRF token."""

    async def guard(
        request: Request,
        principal: Principal = Depends(_principal),  # noqa: B008
    ) -> Principal:
        if principal.user.must_change_password and not allow_pending_password:
            raise PasswordChangeRequiredError
        if principal.role not in roles:
            raise ForbiddenError
        if request.method not in ("GET", "HEAD"):
            form = await request.form()
            submitted = form.get("csrf")
            if not isinstance(submitted, str) or not tokens_match(
                principal.session.csrf, submitted
            ):
                raise CsrfError
        return principal

    return guard


ALL_ROLES = tuple(Role)
ADMIN = (Role.ADMINISTRATOR,)
KNOWLEDGE = (Role.ADMINISTRATOR, Role.CONTRIBUTOR)
PROTECTED_CHAT = (Role.ADMINISTRATOR, Role.COLLABORATOR)
