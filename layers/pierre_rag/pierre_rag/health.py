"""The health payload every function answers with (used by the local stack and probes)."""

from __future__ import annotations

from typing import Any

from pierre_rag import installed_version


def health_payload(function: str) -> dict[str, Any]:
    return {"status": "ok", "function": function, "version": installed_version()}
