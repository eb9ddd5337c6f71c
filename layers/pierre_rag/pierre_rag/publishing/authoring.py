"""What staff do to a landlord's knowledge from the admin: publish, delete or restore a source,
manage the control questions, ask for a build. Each action is recorded as a :class:`Change`.

Over the storage ports only (S3/DynamoDB/SQS in production, in-memory stores in tests); the
build itself runs elsewhere (the knowledge-build function), so every action returns quickly.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from pierre_rag.publishing.ids import new_build_id
from pierre_rag.publishing.models import (
    Build,
    BuildStatus,
    Change,
    ChangeAction,
    ControlQuestion,
    SourceFile,
)
from pierre_rag.publishing.ports import BuildRequests, PublishingRepository, SourceStore

logger = logging.getLogger(__name__)
NOT_REQUESTED = "demande de reconstruction non transmise : cliquez sur « Reconstruire »"


class SourceConflictError(Exception):
    """The file is not in the state the form expected (created, replaced or deleted meanwhile)."""


@dataclass(frozen=True)
class Published:
    """A source change and the build it asked for (``build.status`` FAILED: not requested)."""

    source: SourceFile
    build: Build


@dataclass(frozen=True)
class Authoring:
    sources: SourceStore
    publishing: PublishingRepository
    build_requests: BuildRequests
    clock: Callable[[], float]

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def current(self, landlord: str, path: str) -> SourceFile | None:
        return next((f for f in self.sources.list(landlord) if f.path == path), None)

    def publish(
        self, landlord: str, path: str, markdown: str, actor: str, *, replace: bool
    ) -> Published:
        """Store ``markdown`` at ``path`` (a new file unless ``replace``), record it, ask for a
        build. :class:`SourceConflictError` when the file exists (new) or not (replace)."""
        previous = self.current(landlord, path)
        if (previous is not None) != replace:
            raise SourceConflictError(path)
        stored = self.sources.write(landlord, path, markdown.encode(), actor)
        action = ChangeAction.REPLACE if replace else ChangeAction.UPLOAD
        self._record(landlord, actor, action, path, stored.version_id, previous)
        return Published(stored, self.request_build(landlord, actor, record=False))

    def restore(self, landlord: str, path: str, version_id: str, actor: str) -> Published:
        """An old version of ``path`` written back as its new current version."""
        body = self.sources.read(landlord, path, version_id)
        previous = self.current(landlord, path)
        stored = self.sources.write(landlord, path, body, actor)
        action = ChangeAction.REPLACE if previous else ChangeAction.UPLOAD
        detail = f"restauration de la version {version_id}"
        self._record(landlord, actor, action, path, stored.version_id, previous, detail)
        return Published(stored, self.request_build(landlord, actor, record=False))

    def delete(self, landlord: str, path: str, actor: str) -> Build:
        """Remove ``path`` (its versions stay); :class:`SourceConflictError` when absent."""
        deleted = self.sources.delete(landlord, path, actor)
        if deleted is None:
            raise SourceConflictError(path)
        self._record(landlord, actor, ChangeAction.DELETE, path, "", deleted)
        return self.request_build(landlord, actor, record=False)

    def request_build(self, landlord: str, actor: str, *, record: bool = True) -> Build:
        """A QUEUED build record, then the request; when the queue refuses it, the record says
        FAILED (a QUEUED record nobody will build would wait forever)."""
        now = self._now_ms()
        build = Build(
            landlord=landlord,
            id=new_build_id(now),
            status=BuildStatus.QUEUED,
            requested_ms=now,
            requested_by=actor,
        )
        self.publishing.save_build(build)
        if record:
            self.publishing.record_change(
                Change(
                    landlord=landlord,
                    at_ms=now,
                    actor=actor,
                    action=ChangeAction.BUILD_REQUESTED,
                    detail=build.id,
                )
            )
        try:
            self.build_requests.request(landlord, build.id, actor)
        except Exception:
            logger.exception("knowledge: build %s of %s not requested", build.id, landlord)
            build = build.model_copy(
                update={"status": BuildStatus.FAILED, "finished_ms": now, "error": NOT_REQUESTED}
            )
            self.publishing.save_build(build)
        return build

    def add_control(
        self, landlord: str, question: str, expected_file: str, actor: str
    ) -> ControlQuestion:
        """A new control question (validated by :class:`ControlQuestion`)."""
        control = ControlQuestion(
            landlord=landlord,
            id=secrets.token_hex(8),
            question=question,
            expected_file=expected_file,
            created_ms=self._now_ms(),
            created_by=actor,
        )
        self.publishing.put_control(control)
        self._record(
            landlord, actor, ChangeAction.CONTROL_ADDED, "", "", None, _control_detail(control)
        )
        return control

    def delete_control(self, landlord: str, control_id: str, actor: str) -> bool:
        control = next((c for c in self.publishing.controls(landlord) if c.id == control_id), None)
        if control is None or not self.publishing.delete_control(landlord, control_id):
            return False
        self._record(
            landlord, actor, ChangeAction.CONTROL_DELETED, "", "", None, _control_detail(control)
        )
        return True

    def _record(
        self,
        landlord: str,
        actor: str,
        action: ChangeAction,
        path: str,
        version_id: str,
        previous: SourceFile | None,
        detail: str = "",
    ) -> None:
        self.publishing.record_change(
            Change(
                landlord=landlord,
                at_ms=self._now_ms(),
                actor=actor,
                action=action,
                path=path,
                version_id=version_id,
                previous_version_id=previous.version_id if previous else "",
                detail=detail[:500],
            )
        )


def _control_detail(control: ControlQuestion) -> str:
    return f"{control.question} → {control.expected_file}"
