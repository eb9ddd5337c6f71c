"""Serving: which KnowledgeBase answers a landlord's questions, resolved per request.

A landlord with a pointer is served from its live datastore (community + landlord chunks,
built by the knowledge-build function), downloaded once per version into a folder under
``/tmp`` and opened read-only with the base's embedder and search settings, so the model is
loaded once per container. The pointer is re-read at most every ``check_every_s`` seconds
per landlord, at call time: no timer or thread, so the check also holds after a SnapStart
restore. A landlord without a pointer, or whose pointer, download or datastore fails, is
served from the base (the layer's community knowledge): never an exception to the caller.
The failure is kept for health and the admin, and logged once per version and problem.

A replaced datastore stays open (a request may still be searching it); only the versions
older than the last two are closed and their files deleted.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from pierre_rag.knowledge.browse import KnowledgeBrowser
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.errors import EmbeddingModelMismatchError
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.publishing.models import Pointer
from pierre_rag.publishing.ports import ArtifactStore, PublishingRepository

logger = logging.getLogger(__name__)

# Where live datastores are downloaded (Lambda's /tmp, or the system's temporary folder).
SERVED_FOLDER = Path(tempfile.gettempdir()) / "pierre-datastores"
CHECK_EVERY_S = 30.0
KEEP_OPEN = 2  # the live version and the one before it (a request may still use it)
LAYER = "layer"  # the version health reports for a landlord served from the base


class ServingProblem(StrEnum):
    """Why a landlord is served from the base although it has (or may have) a pointer."""

    POINTER = "pointer-unreadable"
    DOWNLOAD = "download-failed"
    CORRUPT = "datastore-unreadable"
    MODEL = "model-mismatch"


@dataclass(frozen=True)
class ServingStatus:
    """What serves a landlord now (health, the admin)."""

    landlord: str
    version: str = LAYER  # the live datastore's version, or LAYER
    opened_ms: int | None = None  # when that version was opened in this container
    problem: ServingProblem | None = None  # why the base serves despite a pointer
    # the live datastore was built over another community base than the layer's
    stale_community: bool = False

    @property
    def from_layer(self) -> bool:
        return self.version == LAYER


@dataclass(frozen=True)
class ServingStores:
    """Where a function finds the landlords' live datastores (the knowledge table and
    bucket) and where it downloads them."""

    repository: PublishingRepository
    artifacts: ArtifactStore
    folder: Path = SERVED_FOLDER
    check_every_s: float = CHECK_EVERY_S  # the pointer's re-read interval (and the settings')


@dataclass
class _Landlord:
    """One landlord's serving state; its lock serialises its refreshes only."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    checked_at: float | None = None  # monotonic seconds of the last pointer read
    live: KnowledgeBase | None = None
    status: ServingStatus | None = None
    opened: list[tuple[str, KnowledgeBase]] = field(default_factory=list)  # newest last
    logged: tuple[str, ServingProblem] | None = None  # the last problem logged (version, kind)


class LandlordKnowledge:
    """Resolves a landlord's KnowledgeBase; built once per container. Thread-safe."""

    def __init__(
        self,
        base: KnowledgeBase,
        repository: PublishingRepository | None,
        artifacts: ArtifactStore | None,
        folder: Path,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], float] = time.time,
        check_every_s: float = CHECK_EVERY_S,
    ) -> None:
        self.base = base
        self.repository = repository
        self.artifacts = artifacts
        self.folder = folder
        self.monotonic = monotonic  # when to re-read a pointer (injectable in tests)
        self.clock = clock  # seconds since the epoch: the statuses' opened_ms
        self.check_every_s = check_every_s
        self._landlords: dict[str, _Landlord] = {}
        self._lock = threading.Lock()

    @property
    def deployed(self) -> bool:
        """False when publishing is not deployed: every landlord is served from the base."""
        return self.repository is not None and self.artifacts is not None

    def __call__(self, landlord: str) -> KnowledgeBase:
        return self.for_landlord(landlord)

    def for_landlord(self, landlord: str) -> KnowledgeBase:
        """The landlord's live KnowledgeBase, or the base; never raises."""
        if not self.deployed:
            return self.base
        state = self._state(landlord)
        # While a live version serves, a request does not wait for another's refresh (a new
        # version may take seconds to download); before the first, it waits for it.
        if self._due(state) and state.lock.acquire(blocking=state.live is None):
            try:
                if self._due(state):  # another request may have refreshed meanwhile
                    self._refresh(landlord, state)
            finally:
                state.lock.release()
        return state.live or self.base

    def browser(self, landlord: str) -> KnowledgeBrowser:
        """The files of the datastore serving ``landlord`` (articles, the admin's browser)."""
        return KnowledgeBrowser.of(self.for_landlord(landlord).datastore)

    def warm(self, landlords: Iterable[str]) -> None:
        """Fetch every landlord's live datastore now (cold init) rather than on first use."""
        for landlord in landlords:
            self.for_landlord(landlord)

    def status(self, landlord: str) -> ServingStatus:
        """What serves ``landlord`` as of the last check (the base before any)."""
        with self._lock:
            state = self._landlords.get(landlord)
        return (state.status if state else None) or ServingStatus(landlord)

    def statuses(self) -> dict[str, ServingStatus]:
        """Every landlord checked so far, by id."""
        with self._lock:
            landlords = sorted(self._landlords)
        return {landlord: self.status(landlord) for landlord in landlords}

    def _state(self, landlord: str) -> _Landlord:
        with self._lock:
            return self._landlords.setdefault(landlord, _Landlord())

    def _due(self, state: _Landlord) -> bool:
        """Never checked, checked ``check_every_s`` ago, or the clock went back (a SnapStart
        restore on another host need not continue the snapshot's monotonic clock)."""
        if state.checked_at is None:
            return True
        elapsed = self.monotonic() - state.checked_at
        return elapsed >= self.check_every_s or elapsed < 0

    def _refresh(self, landlord: str, state: _Landlord) -> None:
        """Follow the pointer; marked checked only once done, so that concurrent first
        requests wait for the live datastore instead of taking the base meanwhile."""
        started = self.monotonic()
        try:
            self._follow_pointer(landlord, state)
        except Exception:  # a bug or the disk: what served the landlord still does
            logger.exception("landlord %s: the live datastore could not be refreshed", landlord)
        finally:
            state.checked_at = started

    def _follow_pointer(self, landlord: str, state: _Landlord) -> None:
        assert self.repository is not None
        try:
            pointer = self.repository.pointer(landlord)
        except Exception as error:
            # A live version keeps serving through a failed read; without one, the base.
            shown = state.status or ServingStatus(landlord)
            self._problem(landlord, state, shown.version, ServingProblem.POINTER, error)
            state.status = replace(shown, problem=ServingProblem.POINTER)
            return
        if pointer is None:
            state.live, state.logged = None, None
            state.status = ServingStatus(landlord)
            return
        current = state.status
        if current and current.version == pointer.version and state.live is not None:
            state.status, state.logged = replace(current, problem=None), None
            return
        self._open(landlord, state, pointer)

    def _open(self, landlord: str, state: _Landlord, pointer: Pointer) -> None:
        """Serve ``pointer``'s version, or the base with the problem kept."""
        kept = dict(state.opened)
        knowledge = kept.get(pointer.version)
        if knowledge is None:
            found = self._fetch(landlord, state, pointer)
            if isinstance(found, ServingProblem):
                state.live = None
                state.status = ServingStatus(landlord, problem=found)
                return
            knowledge = found
        state.opened = [(v, kb) for v, kb in state.opened if v != pointer.version]
        state.opened.append((pointer.version, knowledge))
        self._close_older(landlord, state)
        state.live, state.logged = knowledge, None
        community = self.base.datastore.meta.source_hash
        state.status = ServingStatus(
            landlord,
            version=pointer.version,
            opened_ms=int(self.clock() * 1000),
            stale_community=bool(pointer.community_hash) and pointer.community_hash != community,
        )
        logger.info("landlord %s served from datastore %s", landlord, pointer.version)

    def _fetch(
        self, landlord: str, state: _Landlord, pointer: Pointer
    ) -> KnowledgeBase | ServingProblem:
        """Download and open ``pointer``'s datastore; the problem when either fails."""
        assert self.artifacts is not None
        path = self.folder / landlord / f"{pointer.version}.sqlite"
        try:
            if not path.is_file():
                self.artifacts.download_datastore(pointer.object_key, path)
        except Exception as error:
            return self._problem(landlord, state, pointer.version, ServingProblem.DOWNLOAD, error)
        datastore: Datastore | None = None
        try:
            datastore = Datastore(path)
            return KnowledgeBase(datastore, self.base.embedder, self.base.config)
        except Exception as error:
            if datastore is not None:
                datastore.close()
            path.unlink(missing_ok=True)  # fetched again at the next check: it may be fixed
            kind = (
                ServingProblem.MODEL
                if isinstance(error, EmbeddingModelMismatchError)
                else ServingProblem.CORRUPT
            )
            return self._problem(landlord, state, pointer.version, kind, error)

    def _problem(
        self,
        landlord: str,
        state: _Landlord,
        version: str,
        kind: ServingProblem,
        error: Exception,
    ) -> ServingProblem:
        """Log a problem once per version and kind (not on every check or request)."""
        if state.logged != (version, kind):
            state.logged = (version, kind)
            logger.error(
                "landlord %s: datastore %s not served (%s), the layer's knowledge answers: %s",
                landlord,
                version,
                kind,
                error,
            )
        return kind

    def _close_older(self, landlord: str, state: _Landlord) -> None:
        """Close the versions older than the last ``KEEP_OPEN`` and delete every file of the
        landlord's folder that is not one of those."""
        older, state.opened = state.opened[:-KEEP_OPEN], state.opened[-KEEP_OPEN:]
        for _, knowledge in older:
            knowledge.datastore.close()
        keep = {f"{version}.sqlite" for version, _ in state.opened}
        folder = self.folder / landlord
        for path in folder.iterdir() if folder.is_dir() else ():
            if path.name not in keep:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


__all__ = ["LAYER", "LandlordKnowledge", "ServingProblem", "ServingStatus", "ServingStores"]
