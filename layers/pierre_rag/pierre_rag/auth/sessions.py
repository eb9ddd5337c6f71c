"""Signed, expiring session cookies shared by the admin (which issues them) and the chat
function (which accepts them for protected contexts). The signing key is the
``session-secret`` SSM parameter; the cookie holds no secret, only who, until when, and the
account's session epoch. A valid signature is not enough: :mod:`pierre_rag.auth.principal`
checks the cookie against the account on every request."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.users import User

COOKIE_NAME = "pierre_session"
DEFAULT_LIFETIME_S = 8 * 3600
# v2: the cookie carries the account's session epoch; v1 cookies (without it) no longer load.
_SALT = "pierre.session.v2"


@dataclass(frozen=True)
class Session:
    email: str
    landlord: str
    role: StaffRole
    csrf: str
    issued_at: int
    epoch: int  # the account's session epoch when the cookie was issued


class SessionCodec:
    def __init__(self, secret: str, lifetime_s: int = DEFAULT_LIFETIME_S) -> None:
        if len(secret) < 16:
            raise ValueError("the session secret must be at least 16 characters")
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        self.lifetime_s = lifetime_s

    def issue(self, user: User) -> tuple[str, Session]:
        """A session for ``user`` as the account stands now (role, session epoch)."""
        session = Session(
            user.email,
            user.landlord,
            user.role,
            secrets.token_urlsafe(24),
            int(time.time()),
            user.session_epoch,
        )
        token = self._serializer.dumps(
            {
                "e": session.email,
                "t": session.landlord,
                "r": session.role.value,
                "c": session.csrf,
                "i": session.issued_at,
                "v": session.epoch,
            }
        )
        return token, session

    def read(self, token: str | None) -> Session | None:
        """The session in ``token``, or None when absent, forged, expired or malformed."""
        if not token or len(token) > 4096:
            return None
        try:
            data = self._serializer.loads(token, max_age=self.lifetime_s)
            return Session(
                email=str(data["e"]),
                landlord=str(data["t"]),
                role=StaffRole(data["r"]),
                csrf=str(data["c"]),
                issued_at=int(data["i"]),
                epoch=int(data["v"]),
            )
        except (BadSignature, KeyError, TypeError, ValueError):
            return None

    def cookie_header(self, token: str, *, secure: bool = True) -> str:
        """``Set-Cookie`` value: HttpOnly, SameSite=Lax, Secure (except on plain-HTTP localhost)."""
        parts = [
            f"{COOKIE_NAME}={token}",
            "Path=/",
            f"Max-Age={self.lifetime_s}",
            "HttpOnly",
            "SameSite=Lax",
        ]
        if secure:
            parts.append("Secure")
        return "; ".join(parts)

    @staticmethod
    def clear_cookie_header(*, secure: bool = True) -> str:
        value = f"{COOKIE_NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        return value + ("; Secure" if secure else "")
