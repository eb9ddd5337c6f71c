"""The health payload every function answers with (used by the local stack and probes).

It stays 200 while the function can serve at least its valid landlords (a probe must not take
every landlord down for one bad file), and says ``degraded`` with the landlords that are not
served or have a setting withheld. Problems are named by landlord, file name and kind only:
the route is public, and the full messages are in the function's log and in
``pierre landlords check``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pierre_rag import installed_version
from pierre_rag.landlords import LandlordRegistry


def health_payload(function: str, landlords: LandlordRegistry | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"status": "ok", "function": function, "version": installed_version()}
    if landlords is None:
        return payload
    payload["landlords"] = landlords.ids
    payload["invalid_landlords"] = landlords.invalid_ids
    payload["landlord_problems"] = [
        {"landlord": problem.landlord, "file": _short(problem.file), "kind": str(problem.kind)}
        for problem in landlords.problems
    ]
    if landlords.problems:
        payload["status"] = "degraded"
    return payload


def _short(path: Path) -> str:
    """``<id>/landlord.yaml`` or ``<id>.yaml``: enough to find the file, no server path."""
    return "/".join(path.parts[-2:]) if path.name == "landlord.yaml" else path.name
