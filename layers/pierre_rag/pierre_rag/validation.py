"""One readable line for a pydantic validation error (config files, benchmark files)."""

from __future__ import annotations

from pydantic import ValidationError


def describe(error: ValidationError) -> str:
    """``field.path: message; other.field: message``."""
    return "; ".join(
        f"{'.'.join(map(str, item['loc'])) or '(root)'}: {item['msg']}" for item in error.errors()
    )
