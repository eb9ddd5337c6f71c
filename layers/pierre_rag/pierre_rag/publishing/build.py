"""A landlord's datastore built from its sources, checked by its control questions, published.

The knowledge-build function runs :meth:`LandlordBuilder.run` for each queued request (one
build per landlord at a time: the queue's message group, and the build lock of the knowledge
table should a message be delivered twice). The datastore holds the community chunks of the
layer's datastore, copied with their vectors, and the landlord's own chunks, embedded through
the landlord's embedding cache; its version is its source hash, so the same sources over the
same community base give the same version and a repeated request publishes nothing new.

Every outcome is a build record: a source the landlord must fix is a FAILED build with the
reason, never an exception; an unexpected error is recorded FAILED, then raised so SQS retries
the message (and moves it to the dead-letter queue in the end). The admin calls
:meth:`LandlordBuilder.confirm` (publish a build its control questions held) and
:meth:`LandlordBuilder.rollback` (the pointer back to a kept version).
"""

from __future__ import annotations

import functools
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pierre_rag.knowledge.build import BuildReport, CommunityBase, build_datastore, datastore_hash
from pierre_rag.knowledge.cache import EmbeddingCache
from pierre_rag.knowledge.chunking import ChunkingConfig
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.embeddings import Embedder
from pierre_rag.knowledge.errors import BuildError
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.knowledge.sources import discover
from pierre_rag.publishing.controls import run_controls
from pierre_rag.publishing.models import (
    Build,
    BuildMessage,
    BuildStatus,
    Change,
    ChangeAction,
    ControlResult,
    Pointer,
    datastore_key,
)
from pierre_rag.publishing.ports import (
    ArtifactStore,
    PointerMovedError,
    PublishingRepository,
    SourceStore,
)
from pierre_rag.publishing.retention import prune_plan

logger = logging.getLogger(__name__)

LEASE_S = 15 * 60  # the build lock's lease: longer than one build function invocation
# build records read when pruning (each publish prunes, so older ones are pruned already)
PRUNE_SCAN = 100
# a redelivered request whose build ended like this is not built again
_DONE = {BuildStatus.PUBLISHED, BuildStatus.HELD, BuildStatus.UNCHANGED}
PUBLISHED_MEANWHILE = (
    "Une autre version a été publiée entre-temps : demandez une nouvelle construction. "
    "(Another version was published meanwhile: request a new build.)"
)


class BuildBusyError(RuntimeError):
    """Another build of the landlord holds the lock: the request is retried later (SQS)."""


class PublishError(RuntimeError):
    """A confirm or rollback that cannot be done; its message (French) is shown to staff."""


@dataclass
class _Run:
    """One build in progress: its record, saved at each state, and its step timings."""

    repository: PublishingRepository
    timer: Callable[[], float]
    build: Build
    started: float

    def save(self, **changes: object) -> Build:
        self.build = self.build.model_copy(update=changes)
        self.repository.save_build(self.build)
        return self.build

    def finish(self, status: BuildStatus, now_ms: int, **changes: object) -> Build:
        seconds = round(self.timer() - self.started, 3)
        build = self.save(status=status, finished_ms=now_ms, seconds=seconds, **changes)
        logger.info(
            "knowledge build finished",
            extra={**self.context, "status": status.value, "seconds": seconds},
        )
        return build

    @property
    def context(self) -> dict[str, str]:
        return {"landlord": self.build.landlord, "build_id": self.build.id}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = self.timer()
        yield
        seconds = round(self.timer() - started, 3)
        logger.info(
            "knowledge build step", extra={**self.context, "step": name, "seconds": seconds}
        )


@dataclass
class LandlordBuilder:
    """Builds, checks and publishes landlords' datastores over the publishing ports."""

    sources: SourceStore
    artifacts: ArtifactStore
    repository: PublishingRepository
    base_datastore: Path  # the layer's datastore, whose community chunks every landlord gets
    embedder: Embedder
    work_dir: Path  # each build writes under work_dir/<build id>/, removed afterwards
    clock: Callable[[], float] = time.time  # epoch seconds
    timer: Callable[[], float] = time.monotonic  # durations
    config: ChunkingConfig = field(default_factory=ChunkingConfig)

    @functools.cached_property
    def base(self) -> CommunityBase:
        """Read once per container: the layer does not change while it runs."""
        return CommunityBase.read(self.base_datastore)

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def run(self, message: BuildMessage) -> Build:
        """Build ``message``'s request; :class:`BuildBusyError` when another build of the
        landlord holds the lock."""
        landlord, build_id = message.landlord, message.build_id
        if not self.repository.claim_build(landlord, build_id, self._now_ms(), LEASE_S * 1000):
            raise BuildBusyError(f"{landlord}: another build holds the lock")
        try:
            recorded = self.repository.build(landlord, build_id)
            if recorded is not None and recorded.status in _DONE:
                logger.info(
                    "knowledge build already done",
                    extra={"landlord": landlord, "build_id": build_id, "status": recorded.status},
                )
                return recorded
            return self._run(message, recorded)
        finally:
            self.repository.release_build(landlord, build_id)

    def _run(self, message: BuildMessage, recorded: Build | None) -> Build:
        build = Build(
            landlord=message.landlord,
            id=message.build_id,
            status=BuildStatus.BUILDING,
            requested_ms=recorded.requested_ms if recorded else self._now_ms(),
            requested_by=recorded.requested_by if recorded else message.actor,
        )
        run = _Run(self.repository, self.timer, build, self.timer())
        folder = self.work_dir / message.build_id
        shutil.rmtree(folder, ignore_errors=True)
        try:
            return self._build(run, folder, message.actor)
        except BuildError as error:
            return run.finish(BuildStatus.FAILED, self._now_ms(), error=_landlord_error(error))
        except Exception as error:
            run.finish(BuildStatus.FAILED, self._now_ms(), error=_internal_error(error))
            raise
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _build(self, run: _Run, folder: Path, actor: str) -> Build:
        landlord = run.build.landlord
        with run.step("snapshot"):
            files = self.sources.snapshot(landlord, folder / "sources")
            roots = [folder / "sources"] if files else []
        with run.step("community base"):
            base = self.base
        pointer = self.repository.pointer(landlord)
        version = datastore_hash(discover(roots) if roots else [], self.embedder, self.config, base)
        run.save(version=version[:16], community_hash=base.source_hash)
        if pointer is not None and pointer.version == run.build.version:
            return run.finish(BuildStatus.UNCHANGED, self._now_ms())
        report = self._datastore(run, roots, folder)
        with run.step("control questions"):
            controls = self._controls(report.path, landlord)
        key = datastore_key(landlord, run.build.version)
        with run.step("upload"):
            if not self.artifacts.has_datastore(key):
                self.artifacts.upload_datastore(key, report.path)
        run.save(
            chunks=report.chunks - report.copied,
            embedded=report.embedded,
            controls=controls,
            object_key=key,
        )
        if run.build.lost_controls:
            return run.finish(BuildStatus.HELD, self._now_ms())
        return self._publish(run, pointer, actor)

    def _datastore(self, run: _Run, roots: list[Path], folder: Path) -> BuildReport:
        """The datastore built into ``folder``, the landlord's embedding cache kept around it."""
        landlord = run.build.landlord
        cache_file = folder / "embedding-cache.sqlite"
        with run.step("download cache"):
            self.artifacts.download_cache(landlord, cache_file)
        cache = EmbeddingCache(cache_file)
        try:
            with run.step("build datastore"):
                report = build_datastore(
                    roots,
                    folder / "datastore.sqlite",
                    self.embedder,
                    cache=cache,
                    config=self.config,
                    base=self.base,
                )
        finally:
            cache.close()
        with run.step("upload cache"):
            self.artifacts.upload_cache(landlord, cache_file)
        return report

    def _controls(self, path: Path, landlord: str) -> list[ControlResult]:
        datastore = Datastore(path)
        try:
            kb = KnowledgeBase(datastore, self.embedder)
            return run_controls(kb, landlord, self.repository.controls(landlord))
        finally:
            datastore.close()

    def _publish(self, run: _Run, pointer: Pointer | None, actor: str) -> Build:
        build = run.build
        try:
            self._move_pointer(build, pointer, actor)
        except PointerMovedError:
            return run.finish(BuildStatus.FAILED, self._now_ms(), error=PUBLISHED_MEANWHILE)
        self._record(build, ChangeAction.PUBLISH, actor, pointer)
        published = run.finish(BuildStatus.PUBLISHED, self._now_ms())
        self.prune(build.landlord)
        return published

    def _move_pointer(self, build: Build, current: Pointer | None, actor: str) -> None:
        pointer = Pointer(
            landlord=build.landlord,
            version=build.version,
            object_key=build.object_key,
            published_ms=self._now_ms(),
            published_by=actor,
            community_hash=build.community_hash,
        )
        self.repository.move_pointer(pointer, current.version if current else None)

    def _record(
        self, build: Build, action: ChangeAction, actor: str, previous: Pointer | None
    ) -> None:
        self.repository.record_change(
            Change(
                landlord=build.landlord,
                at_ms=self._now_ms(),
                actor=actor,
                action=action,
                version_id=build.version,
                previous_version_id=previous.version if previous else "",
                detail=f"construction {build.id}",
            )
        )

    def prune(self, landlord: str) -> list[Build]:
        """Delete the datastores no longer kept (:mod:`.retention`); the builds marked."""
        pointer = self.repository.pointer(landlord)
        plan = prune_plan(
            self.repository.builds(landlord, limit=PRUNE_SCAN),
            pointer.version if pointer else None,
        )
        for key in plan.deleted_keys:
            self.artifacts.delete_datastore(key)
        marked = [
            build.model_copy(update={"expired": True, "object_key": ""}) for build in plan.expired
        ]
        for build in marked:
            self.repository.save_build(build)
        if marked:
            logger.info(
                "knowledge builds expired",
                extra={"landlord": landlord, "builds": [b.id for b in marked]},
            )
        return marked

    def confirm(self, landlord: str, build_id: str, actor: str) -> Build:
        """Publish a build its control questions held (an administrator's decision)."""
        build = self._stored(landlord, build_id)
        if build.status is not BuildStatus.HELD:
            raise PublishError(
                "Seule une construction retenue par ses questions de contrôle peut être "
                f"confirmée (celle-ci est « {build.status.value} »)."
            )
        pointer = self.repository.pointer(landlord)
        if pointer is not None and pointer.published_ms > (build.finished_ms or 0):
            raise PublishError(
                "Une version plus récente a été publiée depuis cette construction : "
                "demandez une nouvelle construction."
            )
        self._switch(build, pointer, actor, ChangeAction.CONFIRM)
        confirmed = build.model_copy(update={"status": BuildStatus.PUBLISHED})
        self.repository.save_build(confirmed)
        self.prune(landlord)
        return confirmed

    def rollback(self, landlord: str, build_id: str, actor: str) -> Build:
        """Point the landlord back at a kept published build."""
        build = self._stored(landlord, build_id)
        if build.status is not BuildStatus.PUBLISHED:
            raise PublishError("Seule une version déjà publiée peut être remise en ligne.")
        pointer = self.repository.pointer(landlord)
        if pointer is not None and pointer.version == build.version:
            raise PublishError("Cette version est déjà en ligne.")
        self._switch(build, pointer, actor, ChangeAction.ROLLBACK)
        return build

    def _stored(self, landlord: str, build_id: str) -> Build:
        """The build record, with its datastore still stored."""
        build = self.repository.build(landlord, build_id)
        if build is None:
            raise PublishError("Cette construction n'existe pas.")
        if build.expired or not build.object_key:
            raise PublishError("Cette version n'est plus conservée.")
        if not self.artifacts.has_datastore(build.object_key):
            raise PublishError("Le fichier de cette version n'existe plus.")
        return build

    def _switch(
        self, build: Build, pointer: Pointer | None, actor: str, action: ChangeAction
    ) -> None:
        try:
            self._move_pointer(build, pointer, actor)
        except PointerMovedError as error:
            raise PublishError(
                "Une autre version a été publiée entre-temps : rechargez la page."
            ) from error
        self._record(build, action, actor, pointer)
        logger.info(
            "knowledge pointer moved",
            extra={"landlord": build.landlord, "version": build.version, "action": action.value},
        )


def _landlord_error(error: BuildError) -> str:
    return f"Une source ne peut pas être indexée : {error}"


def _internal_error(error: Exception) -> str:
    return f"Erreur interne ; la construction sera retentée. ({type(error).__name__}: {error})"[
        :500
    ]
