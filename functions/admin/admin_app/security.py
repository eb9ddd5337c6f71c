"""Who is asking: session cookie → principal (the layer's staff check, shared with the chat),
capability guards, CSRF checks, the cookie's Secure flag and the client IP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from admin_app.services import Services
from pierre_rag.auth.access import Capability, may, opens_before_password_change
from pierre_rag.auth.csrf import tokens_match
from pierre_rag.auth.principal import StaffPrincipal, staff_principal
from pierre_rag.auth.sessions import COOKIE_NAME
from pierre_rag.conversations import ConversationMeta
from pierre_rag.transport import is_local_plain_http


class LoginRequiredError(Exception):
    """No valid session: pages redirect to the login form, other requests get 401."""


class ForbiddenError(Exception):
    """Valid session, but this role may not do that (403)."""


class PasswordChangeRequiredError(Exception):
    """The account must choose a new password before anything else."""


class CsrfError(Exception):
    """A state-changing request without this session's CSRF token (403, nothing changed)."""


class Principal(StaffPrincipal):
    """The layer's staff principal, under the name the admin's routes use."""


def services(request: Request) -> Services:
    factory: Callable[[], Services] = request.app.state.services
    return factory()


ServicesDep = Annotated[Services, Depends(services)]
"""A route's services, as a FastAPI dependency."""


def cookie_secure(request: Request) -> bool:
    """Secure everywhere except plain HTTP on the local machine (``make dev``)."""
    return not is_local_plain_http(request.headers)


def client_ip(request: Request, svc: Services) -> str:
    """The caller's IP for lock-out counters, by the layer's one rule (``pierre_rag.client_ip``):
    never a header the caller can write."""
    return svc.client_ip.of_request(request)


def read_principal(request: Request, svc: Services) -> Principal | None:
    """The signed-in user, or None when the cookie is absent, forged, expired or stale.

    Stale: the account was deleted, logged out, its role or its password changed since.
    """
    principal = staff_principal(
        request.cookies.get(COOKIE_NAME),
        codec=svc.codec,
        users=svc.users,
        landlords=svc.landlords.ids,
    )
    return None if principal is None else Principal(principal.session, principal.user)


def signed_in(request: Request, svc: Services = Depends(services)) -> Principal:  # noqa: B008
    principal = read_principal(request, svc)
    if principal is None:
        raise LoginRequiredError
    return principal


def require(capability: Capability) -> Callable[..., Awaitable[Principal]]:
    """Dependency: a principal whose role holds ``capability`` (``pierre_rag.auth.access``);
    on POST also a valid CSRF token. An account still holding a one-time password is sent to
    the password form first, unless ``capability`` is what replaces it."""

    async def guard(
        request: Request,
        principal: Principal = Depends(signed_in),  # noqa: B008
    ) -> Principal:
        if principal.user.must_change_password and not opens_before_password_change(capability):
            raise PasswordChangeRequiredError
        if not may(principal.role, capability):
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


def owned_conversation(
    svc: Services, principal: StaffPrincipal, conversation_id: str
) -> ConversationMeta | None:
    """The conversation if it belongs to the principal's landlord; otherwise None (→ 404)."""
    meta = svc.conversations.get_meta(conversation_id)
    return meta if meta is not None and meta.landlord == principal.landlord else None
