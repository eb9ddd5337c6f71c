"""Build ids: the request's time first, so that ids sort by time (the knowledge table lists a
landlord's builds newest first by their sort key), then random digits so that two requests in
the same millisecond differ."""

from __future__ import annotations

import secrets

MAX_MS = 10**13 - 1  # 13 digits: until the year 2286


def new_build_id(now_ms: int) -> str:
    """13 digits of milliseconds and 8 random lowercase hex digits (``Build.id``'s pattern)."""
    if not 0 <= now_ms <= MAX_MS:
        raise ValueError(f"a build id's time must be 0…{MAX_MS} ms, got {now_ms}")
    return f"{now_ms:013d}{secrets.token_hex(4)}"
