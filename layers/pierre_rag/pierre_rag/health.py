"""The health payload every function answers with (used by the local stack and probes).

It stays 200 while the function can serve at least its valid landlords (a probe must not take
every landlord down for one bad file), and says ``degraded`` with the landlords that are not
served or have a setting withheld, or whose live datastore could not be served (they are
answered from the layer's knowledge meanwhile, ``publishing.serving``). Problems are named by
landlord, file name and kind only: the route is public, and the full messages are in the
function's log and in ``pierre landlords check``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pierre_rag import installed_version
from pierre_rag.landlords import LandlordRegistry

if TYPE_CHECKING:
    from pierre_rag.publishing.serving import ServingStatus


def health_payload(
    function: str,
    landlords: LandlordRegistry | None = None,
    knowledge: Mapping[str, ServingStatus] | None = None,
) -> dict[str, Any]:
    """``knowledge``: what serves each landlord checked so far (a function that answers)."""
    payload: dict[str, Any] = {"status": "ok", "function": function, "version": installed_version()}
    if knowledge is not None:
        payload["knowledge"] = {
            landlord: {
                "version": status.version,
                "problem": str(status.problem) if status.problem else None,
                "stale_community": status.stale_community,
            }
            for landlord, status in sorted(knowledge.items())
        }
        if any(status.problem for status in knowledge.values()):
            payload["status"] = "degraded"
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
