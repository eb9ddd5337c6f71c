"""Rebuild the landlords whose live datastore holds an older community knowledge.

A landlord's datastore is built over a copy of the community datastore (the layer's). After a
deploy that changes the layer, each live landlord datastore keeps serving the old community
copy (health's ``stale_community``) until its next build. The knowledge-build function runs
:func:`rebuild_stale_landlords` once per deploy (a CloudFormation custom resource keyed on the
layer version), so nobody has to remember to press "Reconstruire" for every landlord.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pierre_rag.publishing.models import Build, BuildStatus
from pierre_rag.publishing.ports import PublishingRepository

logger = logging.getLogger(__name__)
COMMUNITY_UPDATE_ACTOR = "mise à jour de la base commune"


@dataclass(frozen=True)
class CommunityRefresh:
    """What one pass did, landlord ids in each list."""

    requested: list[str] = field(default_factory=list)  # a build was asked for
    current: list[str] = field(default_factory=list)  # already over this community copy
    unpublished: list[str] = field(default_factory=list)  # no live datastore: nothing to redo
    failed: list[str] = field(default_factory=list)  # the pointer or the request failed

    def summary(self) -> dict[str, int]:
        return {
            "requested": len(self.requested),
            "current": len(self.current),
            "unpublished": len(self.unpublished),
            "failed": len(self.failed),
        }


def rebuild_stale_landlords(
    landlords: Iterable[str],
    community_hash: str,
    publishing: PublishingRepository,
    request_build: Callable[[str], Build],
) -> CommunityRefresh:
    """Ask for a build of every landlord whose live datastore was built over another
    community copy than ``community_hash``. One landlord's failure does not stop the others."""
    refresh = CommunityRefresh()
    for landlord in landlords:
        try:
            pointer = publishing.pointer(landlord)
            if pointer is None:
                refresh.unpublished.append(landlord)
            elif pointer.community_hash == community_hash:
                refresh.current.append(landlord)
            elif request_build(landlord).status is BuildStatus.FAILED:
                refresh.failed.append(landlord)  # the build record says it was not requested
            else:
                refresh.requested.append(landlord)
        except Exception:
            logger.exception("landlord %s: no rebuild over the new community knowledge", landlord)
            refresh.failed.append(landlord)
    return refresh


__all__ = ["COMMUNITY_UPDATE_ACTOR", "CommunityRefresh", "rebuild_stale_landlords"]
