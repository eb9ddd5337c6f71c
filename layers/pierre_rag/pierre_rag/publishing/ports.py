"""The storage contracts of publishing; S3/DynamoDB/SQS implementations beside them, in-memory
ones in :mod:`.memory`, one contract test suite for both."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any, Protocol

from pierre_rag.publishing.models import Build, Change, ControlQuestion, Pointer, SourceFile


class PointerMovedError(RuntimeError):
    """The pointer is no longer at the version the caller read: someone published meanwhile."""


class SourceNotFoundError(LookupError):
    pass


class SourceStore(Protocol):
    """A landlord's Markdown sources (S3, versioned; ``sources/<landlord>/<path>``)."""

    def list(self, landlord: str) -> list[SourceFile]:
        """The current files, by path."""
        ...

    def read(self, landlord: str, path: str, version_id: str | None = None) -> bytes:
        """A file's bytes (its current version unless ``version_id``);
        :class:`SourceNotFoundError` when absent."""
        ...

    def write(self, landlord: str, path: str, body: bytes, actor: str) -> SourceFile:
        """A new current version of ``path``."""
        ...

    def delete(self, landlord: str, path: str, actor: str) -> SourceFile | None:
        """Remove ``path`` (its versions stay in history); the version deleted, None if absent."""
        ...

    def history(self, landlord: str, path: str) -> builtins.list[SourceFile]:
        """Every version of ``path``, newest first (delete markers included)."""
        ...

    def snapshot(self, landlord: str, folder: Path) -> builtins.list[SourceFile]:
        """Write the current files to ``folder/<landlord>/<path>`` (what a build reads)."""
        ...


class ArtifactStore(Protocol):
    """Built datastores (``datastores/<landlord>/<version>.sqlite``, immutable) and each
    landlord's embedding cache (``embedding-cache/<landlord>.sqlite``), in the same bucket."""

    def has_datastore(self, key: str) -> bool: ...

    def upload_datastore(self, key: str, file: Path) -> None: ...

    def download_datastore(self, key: str, file: Path) -> None:
        """Write the object to ``file`` (atomically); :class:`SourceNotFoundError` if absent."""
        ...

    def delete_datastore(self, key: str) -> None: ...

    def download_cache(self, landlord: str, file: Path) -> bool:
        """The landlord's embedding cache into ``file``; False when it has none yet."""
        ...

    def upload_cache(self, landlord: str, file: Path) -> None: ...


class PublishingRepository(Protocol):
    """The knowledge table (DynamoDB): pointer, history, control questions, builds, settings."""

    def pointer(self, landlord: str) -> Pointer | None: ...

    def move_pointer(self, pointer: Pointer, expected_version: str | None) -> None:
        """Point the landlord at ``pointer`` if it still points at ``expected_version`` (None:
        no pointer yet); :class:`PointerMovedError` otherwise."""
        ...

    def record_change(self, change: Change) -> None: ...

    def changes(self, landlord: str, limit: int = 50) -> list[Change]:
        """Newest first."""
        ...

    def controls(self, landlord: str) -> list[ControlQuestion]:
        """Oldest first."""
        ...

    def put_control(self, control: ControlQuestion) -> None: ...

    def delete_control(self, landlord: str, control_id: str) -> bool: ...

    def save_build(self, build: Build) -> None:
        """Create or replace the build record of ``build.id``."""
        ...

    def build(self, landlord: str, build_id: str) -> Build | None: ...

    def builds(self, landlord: str, limit: int = 20) -> list[Build]:
        """Newest first."""
        ...

    def claim_build(self, landlord: str, build_id: str, now_ms: int, lease_ms: int) -> bool:
        """Take the landlord's build lock for ``build_id`` (True), unless another build holds
        an unexpired lease; re-claiming one's own lock succeeds."""
        ...

    def release_build(self, landlord: str, build_id: str) -> None: ...

    def landlord_settings(self, landlord: str) -> tuple[dict[str, Any], int] | None:
        """The settings edited in the admin (a landlord file's fields) and their revision;
        None: the landlord file of the deployment holds."""
        ...

    def save_landlord_settings(
        self, landlord: str, settings: dict[str, Any], expected_revision: int
    ) -> int:
        """Store ``settings`` if the stored revision is ``expected_revision`` (0: none yet);
        the new revision. :class:`PointerMovedError` when someone saved meanwhile."""
        ...

    def delete_landlord_settings(self, landlord: str, expected_revision: int) -> None:
        """Remove the edited settings (the landlord file holds again) if the stored revision
        is ``expected_revision``; :class:`PointerMovedError` when someone saved meanwhile.
        Nothing stored and ``expected_revision`` 0: nothing to do."""
        ...


class BuildRequests(Protocol):
    """Asks the knowledge-build function for a build (SQS FIFO, one group per landlord)."""

    def request(self, landlord: str, build_id: str, actor: str) -> None: ...
