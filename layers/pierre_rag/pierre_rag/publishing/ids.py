"""Build request ids: they sort by time, and two requests in the same millisecond differ."""

from __future__ import annotations

import secrets


def new_build_id(now_ms: int) -> str:
    """13 digits of milliseconds, then 8 random lowercase hex digits."""
    return f"{now_ms:013d}{secrets.token_hex(4)}"
