"""Build request ids: they sort by time, and two requests in the same millisecond differ."""

from __future__ import annotations

import secrets

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def new_build_id(now_ms: int) -> str:
    """13 digits of epoch milliseconds, then 6 random base-36 characters."""
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"{now_ms:013d}{suffix}"
