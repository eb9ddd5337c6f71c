"""Signed, expiring session cookies shared by the admin (which issues them) and the chat
function (which accepts them for protected contexts). The signing key is the
``session-secret`` SSM parameter; the cookie holds no secret, only who and until when."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from pierre_rag.auth.roles import Role, may_use_protected_chat

COOKIE_NAME = "pierre_session"
DEFAULT_LIFETIME_S = 8 * 3600
_SALT = "pierre.session.v1"


@dataclass(frozen=True)
class Session:
    email: str
    tenant: str
    role: Role
    csrf: str
    issued_at: int

    def may_chat_in_protected_context(self, tenant: str) -> bool:
        return self.tenant == tenant and may_use_protected_chat(self.role)


class SessionCodec:
    def __init__(self, secret: str, lifetime_s: int = DEFAULT_LIFETIME_S) -> None:
        if len(secret) < 16:
            raise ValueError("the session secret must be at least 16 characters")
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        self.lifetime_s = lifetime_s

    def issue(self, email: str, tenant: str, role: Role) -> tuple[str, Session]:
        session = Session(email, tenant, role, secrets.token_urlsafe(24), int(time.time()))
        token = self._serializer.dumps(
            {"e": email, "t": tenant, "r": role.value, "c": session.csrf, "i": session.issued_at}
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
                tenant=str(data["t"]),
                role=Role(data["r"]),
                csrf=str(data["c"]),
                issued_at=int(data["i"]),
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
