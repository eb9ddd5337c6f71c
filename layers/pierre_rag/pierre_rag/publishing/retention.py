"""Which built datastores a landlord keeps after a publish, and which objects go.

Kept: the datastores of the :data:`~pierre_rag.publishing.models.KEEP_VERSIONS` most recent
published versions (what rollback offers), the live one whatever its age, and the held (or
otherwise unpublished) builds requested after the oldest kept version, which an
administrator may still confirm. Every other build's object is deleted and its record marked
expired, so the admin stops offering it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pierre_rag.publishing.models import KEEP_VERSIONS, Build, BuildStatus


@dataclass(frozen=True)
class Pruning:
    expired: list[Build]  # records to mark
    deleted_keys: list[str]  # objects to delete (no kept build uses them)


def prune_plan(
    builds: Sequence[Build], live_version: str | None, keep: int = KEEP_VERSIONS
) -> Pruning:
    stored = [b for b in builds if b.object_key and not b.expired]
    published = sorted(
        (b for b in stored if b.status is BuildStatus.PUBLISHED),
        key=lambda b: (b.requested_ms, b.id),
        reverse=True,
    )
    recent = list(dict.fromkeys(b.version for b in published))[:keep]
    kept_versions = {*recent, *([live_version] if live_version else [])}
    # fewer published versions than kept: nothing is old enough to go
    cutoff = (
        min(b.requested_ms for b in published if b.version in recent) if len(recent) >= keep else 0
    )

    def kept(build: Build) -> bool:
        if build.version in kept_versions:
            return True
        return build.status is not BuildStatus.PUBLISHED and build.requested_ms >= cutoff

    expired = [b for b in stored if not kept(b)]
    kept_keys = {b.object_key for b in stored if kept(b)}
    deleted = sorted({b.object_key for b in expired} - kept_keys)
    return Pruning(expired, deleted)
