"""In-memory publishing stores keeping the S3/DynamoDB implementations' contract (unit tests,
benchmarks; never to serve: a process's memory is not shared between Lambda containers)."""

from __future__ import annotations

import builtins
import copy
import itertools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pierre_rag.publishing.models import (
    Build,
    Change,
    ControlQuestion,
    Pointer,
    SourceFile,
    checked_source_path,
)
from pierre_rag.publishing.ports import PointerMovedError, SourceNotFoundError

Clock = Callable[[], float]


class MemorySources:
    """:class:`~pierre_rag.publishing.ports.SourceStore` in memory, versions included."""

    def __init__(self, clock: Clock = time.time) -> None:
        self.clock = clock
        self._versions: dict[tuple[str, str], builtins.list[tuple[SourceFile, bytes]]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _add(
        self, landlord: str, path: str, body: bytes, actor: str, *, deleted: bool
    ) -> SourceFile:
        entry = SourceFile(
            landlord=landlord,
            path=path,
            version_id=f"v{next(self._ids):06d}",
            size=len(body),
            modified_ms=int(self.clock() * 1000),
            modified_by="" if deleted else actor,  # S3's delete markers carry no metadata
            deleted=deleted,
        )
        self._versions.setdefault((landlord, path), []).append((entry, body))
        return entry

    def _current(self, landlord: str, path: str) -> tuple[SourceFile, bytes] | None:
        versions = self._versions.get((landlord, path))
        if not versions or versions[-1][0].deleted:
            return None
        return versions[-1]

    def list(self, landlord: str) -> list[SourceFile]:
        with self._lock:
            found = [
                self._current(landlord, path)
                for (owner, path) in self._versions
                if owner == landlord
            ]
            return sorted((entry for entry, _ in filter(None, found)), key=lambda e: e.path)

    def read(self, landlord: str, path: str, version_id: str | None = None) -> bytes:
        checked_source_path(path)
        with self._lock:
            versions = self._versions.get((landlord, path), [])
            if version_id is None:
                found = versions[-1:]
            else:
                found = [v for v in versions if v[0].version_id == version_id]
            if found and not found[0][0].deleted:
                return found[0][1]
        raise SourceNotFoundError(f"{landlord}/{path}" + (f"@{version_id}" if version_id else ""))

    def write(self, landlord: str, path: str, body: bytes, actor: str) -> SourceFile:
        checked_source_path(path)
        with self._lock:
            return self._add(landlord, path, bytes(body), actor, deleted=False)

    def delete(self, landlord: str, path: str, actor: str) -> SourceFile | None:
        checked_source_path(path)
        with self._lock:
            current = self._current(landlord, path)
            if current is None:
                return None
            self._add(landlord, path, b"", actor, deleted=True)
            return current[0]

    def history(self, landlord: str, path: str) -> builtins.list[SourceFile]:
        checked_source_path(path)
        with self._lock:
            return [entry for entry, _ in reversed(self._versions.get((landlord, path), []))]

    def snapshot(self, landlord: str, folder: Path) -> builtins.list[SourceFile]:
        files = self.list(landlord)
        for entry in files:
            target = folder / landlord / entry.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.read(landlord, entry.path))
        return files


class MemoryArtifacts:
    """:class:`~pierre_rag.publishing.ports.ArtifactStore` in memory (bytes per key)."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.caches: dict[str, bytes] = {}

    def has_datastore(self, key: str) -> bool:
        return key in self.objects

    def upload_datastore(self, key: str, file: Path) -> None:
        self.objects[key] = file.read_bytes()

    def download_datastore(self, key: str, file: Path) -> None:
        if key not in self.objects:
            raise SourceNotFoundError(key)
        file.parent.mkdir(parents=True, exist_ok=True)
        partial = file.with_name(f".{file.name}.part")
        partial.write_bytes(self.objects[key])
        partial.replace(file)

    def delete_datastore(self, key: str) -> None:
        self.objects.pop(key, None)

    def download_cache(self, landlord: str, file: Path) -> bool:
        if landlord not in self.caches:
            return False
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(self.caches[landlord])
        return True

    def upload_cache(self, landlord: str, file: Path) -> None:
        self.caches[landlord] = file.read_bytes()


class MemoryPublishing:
    """:class:`~pierre_rag.publishing.ports.PublishingRepository` in memory."""

    def __init__(self) -> None:
        self._pointers: dict[str, Pointer] = {}
        self._changes: dict[str, list[Change]] = {}
        self._controls: dict[str, dict[str, ControlQuestion]] = {}
        self._builds: dict[str, dict[str, Build]] = {}
        self._locks: dict[str, tuple[str, int]] = {}
        self._settings: dict[str, tuple[dict[str, Any], int]] = {}
        self._lock = threading.Lock()

    def pointer(self, landlord: str) -> Pointer | None:
        return self._pointers.get(landlord)

    def move_pointer(self, pointer: Pointer, expected_version: str | None) -> None:
        with self._lock:
            current = self._pointers.get(pointer.landlord)
            if (current.version if current else None) != expected_version:
                raise PointerMovedError(pointer.landlord)
            self._pointers[pointer.landlord] = pointer

    def record_change(self, change: Change) -> None:
        with self._lock:
            self._changes.setdefault(change.landlord, []).append(change)

    def changes(self, landlord: str, limit: int = 50) -> list[Change]:
        ordered = sorted(self._changes.get(landlord, []), key=lambda c: c.at_ms, reverse=True)
        return ordered[:limit]

    def controls(self, landlord: str) -> list[ControlQuestion]:
        return sorted(self._controls.get(landlord, {}).values(), key=lambda c: (c.created_ms, c.id))

    def put_control(self, control: ControlQuestion) -> None:
        self._controls.setdefault(control.landlord, {})[control.id] = control

    def delete_control(self, landlord: str, control_id: str) -> bool:
        return self._controls.get(landlord, {}).pop(control_id, None) is not None

    def save_build(self, build: Build) -> None:
        self._builds.setdefault(build.landlord, {})[build.id] = build

    def build(self, landlord: str, build_id: str) -> Build | None:
        return self._builds.get(landlord, {}).get(build_id)

    def builds(self, landlord: str, limit: int = 20) -> list[Build]:
        every = self._builds.get(landlord, {}).values()
        return sorted(every, key=lambda b: (b.requested_ms, b.id), reverse=True)[:limit]

    def claim_build(self, landlord: str, build_id: str, now_ms: int, lease_ms: int) -> bool:
        with self._lock:
            held = self._locks.get(landlord)
            if held and held[0] != build_id and held[1] > now_ms:
                return False
            self._locks[landlord] = (build_id, now_ms + lease_ms)
            return True

    def release_build(self, landlord: str, build_id: str) -> None:
        with self._lock:
            if self._locks.get(landlord, ("",))[0] == build_id:
                del self._locks[landlord]

    def landlord_settings(self, landlord: str) -> tuple[dict[str, Any], int] | None:
        stored = self._settings.get(landlord)
        return (copy.deepcopy(stored[0]), stored[1]) if stored else None

    def save_landlord_settings(
        self, landlord: str, settings: dict[str, Any], expected_revision: int
    ) -> int:
        with self._lock:
            revision = self._settings.get(landlord, ({}, 0))[1]
            if revision != expected_revision:
                raise PointerMovedError(landlord)
            self._settings[landlord] = (copy.deepcopy(settings), revision + 1)
            return revision + 1


class MemoryBuildRequests:
    """:class:`~pierre_rag.publishing.ports.BuildRequests` that records requests in order
    (a test or the benchmark hands them to the build function); a build id requested again
    is recorded once, as the FIFO queue deduplicates it."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str]] = []

    def request(self, landlord: str, build_id: str, actor: str) -> None:
        if all(build_id != requested for _, requested, _ in self.requests):
            self.requests.append((landlord, build_id, actor))


__all__ = ["MemoryArtifacts", "MemoryBuildRequests", "MemoryPublishing", "MemorySources"]
