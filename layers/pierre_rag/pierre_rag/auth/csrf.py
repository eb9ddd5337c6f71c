"""CSRF tokens: one per session (carried in the signed cookie), and a double-submit token for
the login form, which is posted before any session exists."""

from __future__ import annotations

import hmac
import secrets

LOGIN_COOKIE = "pierre_login_csrf"


def tokens_match(expected: str | None, submitted: str | None) -> bool:
    """Constant-time comparison; an empty or missing token never matches."""
    if not expected or not submitted or len(submitted) > 256:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


def new_token() -> str:
    return secrets.token_urlsafe(24)
