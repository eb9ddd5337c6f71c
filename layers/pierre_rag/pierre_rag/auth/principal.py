"""Who a staff session cookie speaks for: the one check of every function that accepts it.

The admin (every page) and the chat (protected contexts) both call :func:`staff_principal`.
A signature only proves that the cookie was issued once; the account decides whether it still
counts. So, after the signature and lifetime, one GetItem reads the account, which must still
exist at the cookie's landlord with the same role and the same session epoch. Logout, a
password change and a role change bump the epoch (``UserStore``), so each ends every older
session at once, and a role changed back does not revive one: the epoch moved twice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from pierre_rag.auth.access import Capability, StaffRole, may, opens_before_password_change
from pierre_rag.auth.sessions import Session, SessionCodec
from pierre_rag.auth.users import User
from pierre_rag.storage.ports import UserRepository


@dataclass(frozen=True)
class StaffPrincipal:
    session: Session
    user: User

    @property
    def landlord(self) -> str:
        return self.user.landlord

    @property
    def role(self) -> StaffRole:
        return self.user.role

    @property
    def email(self) -> str:
        return self.user.email

    def may(self, capability: Capability) -> bool:
        """Whether this account may use ``capability`` now: its role holds it
        (:mod:`pierre_rag.auth.access`), and a one-time password (a new account, a reset)
        opens nothing until it is replaced, but the means to replace it."""
        if self.user.must_change_password and not opens_before_password_change(capability):
            return False
        return may(self.role, capability)

    def may_chat_in_protected_context(self, landlord: str) -> bool:
        """The admin asks for a new password first; the staff chat waits for it too."""
        return self.landlord == landlord and self.may(Capability.USE_PROTECTED_CHAT)


def staff_principal(
    token: str | None,
    *,
    codec: SessionCodec,
    users: UserRepository,
    landlords: Collection[str],
    landlord: str | None = None,
) -> StaffPrincipal | None:
    """The account ``token`` signs in, or None when the cookie is absent, forged, expired,
    of an unconfigured landlord (or not of ``landlord`` when given), or no longer matches the
    account: deleted, role changed, password changed, logged out. Reads the account only when
    the cookie itself is valid, so an anonymous request costs no read."""
    session = codec.read(token)
    if session is None or session.landlord not in landlords:
        return None
    if landlord is not None and session.landlord != landlord:
        return None
    user = users.get(session.landlord, session.email)
    if (
        user is None
        or user.landlord != session.landlord
        or user.role != session.role
        or user.session_epoch != session.epoch
    ):
        return None
    return StaffPrincipal(session, user)
