"""Seed a landlord's sources from its folder of the repository (``knowledge/<landlord>/``).

A new deployment (or the local stack) starts from the Markdown files kept beside the landlord's
file: ``public/**/*.md`` and ``staff/**/*.md`` are copied to ``public/<name>`` and
``staff/<name>`` as actor ``seed``, each recorded as a ``SEED`` change, and one build is
requested. A landlord that has sources, or any recorded change (it deleted its files since),
is left alone: seeding never overwrites what staff did.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from pierre_rag.publishing.ids import new_build_id
from pierre_rag.publishing.models import (
    SOURCE_PATH,
    Build,
    BuildStatus,
    Change,
    ChangeAction,
)
from pierre_rag.publishing.ports import BuildRequests, PublishingRepository, SourceStore

logger = logging.getLogger(__name__)

SEED_ACTOR = "seed"
ACCESS_FOLDERS = ("public", "staff")


def seed_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """Each seedable file of a landlord folder as (source path, file), in path order. A name
    that is not a source slug, or that a file of another sub-folder already gave, is skipped
    with a warning."""
    for access in ACCESS_FOLDERS:
        seen: set[str] = set()
        for file in sorted((folder / access).rglob("*.md")):
            path = f"{access}/{file.name}"
            if not SOURCE_PATH.match(path):
                logger.warning("not seeded: %s is not a source name (lowercase slug .md)", file)
            elif path in seen:
                logger.warning("not seeded: %s has the name of another file (%s)", file, path)
            else:
                seen.add(path)
                yield path, file


def seed_landlord(
    sources: SourceStore,
    repository: PublishingRepository,
    requests: BuildRequests,
    landlord: str,
    folder: Path,
    clock: Callable[[], float],
) -> int:
    """Copy ``folder``'s Markdown into the landlord's sources if it has none and no history,
    then request one build; the number of files copied (0: nothing done). ``clock`` gives
    seconds (``time.time``)."""
    if sources.list(landlord) or repository.changes(landlord, limit=1):
        return 0
    copied = 0
    for path, file in seed_files(folder):
        written = sources.write(landlord, path, file.read_bytes(), SEED_ACTOR)
        repository.record_change(
            Change(
                landlord=landlord,
                at_ms=int(clock() * 1000),
                actor=SEED_ACTOR,
                action=ChangeAction.SEED,
                path=path,
                version_id=written.version_id,
            )
        )
        copied += 1
    if copied:
        _request_build(repository, requests, landlord, int(clock() * 1000))
    return copied


def _request_build(
    repository: PublishingRepository, requests: BuildRequests, landlord: str, now_ms: int
) -> None:
    build_id = new_build_id(now_ms)
    repository.save_build(
        Build(
            landlord=landlord,
            id=build_id,
            status=BuildStatus.QUEUED,
            requested_ms=now_ms,
            requested_by=SEED_ACTOR,
        )
    )
    repository.record_change(
        Change(
            landlord=landlord,
            at_ms=now_ms,
            actor=SEED_ACTOR,
            action=ChangeAction.BUILD_REQUESTED,
            detail=build_id,
        )
    )
    requests.request(landlord, build_id, SEED_ACTOR)


__all__ = ["SEED_ACTOR", "seed_files", "seed_landlord"]
