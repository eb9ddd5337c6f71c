"""Read-only listing of what a datastore holds for one landlord: files, sections, access levels.

Filtering happens in SQL on the ``scope`` column (see :func:`sources.visible_scopes`), exactly
as search does, so a landlord never lists another landlord's chunks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.knowledge.sources import visible_scopes
from pierre_rag.knowledge.sqlite import open_readonly


@dataclass(frozen=True)
class Section:
    chunk_id: int
    heading_path: list[str]
    text: str

    @property
    def heading(self) -> str:
        return " > ".join(self.heading_path) or "(introduction)"


@dataclass
class FileEntry:
    file: str
    title: str
    access: AccessLevel
    landlord: str | None
    sections: list[Section] = field(default_factory=list)

    @property
    def chars(self) -> int:
        return sum(len(section.text) for section in self.sections)


def document_order(sections: Sequence[Section]) -> list[Section]:
    """A file's sections in the order of its document.

    Chunk ids follow the chunker, which emits a section's sub-sections before the section
    itself (small ones are folded into it first). A heading's place among its siblings is the
    order they first appear in, and a section comes before its sub-sections.
    """
    rank: dict[tuple[str, ...], int] = {}
    for section in sections:
        path = tuple(section.heading_path)
        for depth in range(1, len(path) + 1):
            rank.setdefault(path[:depth], len(rank))

    def position(section: Section) -> list[int]:
        path = tuple(section.heading_path)
        return [rank[path[:depth]] for depth in range(1, len(path) + 1)]

    return sorted(sections, key=position)


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


class KnowledgeBrowser:
    """Its own read-only (``immutable=1``) connection to the datastore file, or an open
    datastore's (:meth:`of`)."""

    def __init__(self, path: Path) -> None:
        self._db: Any = open_readonly(path)
        self._owned = True

    @classmethod
    def of(cls, datastore: Datastore) -> KnowledgeBrowser:
        """Browse ``datastore`` through its connection, which stays its own to close."""
        browser = cls.__new__(cls)
        browser._db = datastore.connection
        browser._owned = False
        return browser

    def close(self) -> None:
        if self._owned:
            self._db.close()

    def files(
        self, landlord: str, access: Sequence[AccessLevel | str], *, file: str | None = None
    ) -> list[FileEntry]:
        """Files visible to ``landlord`` with ``access``, in path order, with their sections."""
        scopes = visible_scopes(landlord, access)
        if not scopes:
            return []
        sql = (
            "SELECT id, file, title, heading_path, text, access, landlord FROM chunks "  # noqa: S608
            f"WHERE scope IN ({_marks(scopes)})"
        )
        params: list[object] = list(scopes)
        if file is not None:
            sql += " AND file = ?"
            params.append(file)
        sql += " ORDER BY file, id"
        entries: dict[str, FileEntry] = {}
        for chunk_id, path, title, heading_path, text, level, owner in self._db.execute(
            sql, params
        ):
            entry = entries.get(path)
            if entry is None:
                entry = entries[path] = FileEntry(path, title, AccessLevel(level), owner)
            entry.sections.append(Section(int(chunk_id), json.loads(heading_path), text))
        for entry in entries.values():
            entry.sections = document_order(entry.sections)
        return list(entries.values())

    def file(
        self, landlord: str, access: Sequence[AccessLevel | str], path: str
    ) -> FileEntry | None:
        found = self.files(landlord, access, file=path)
        return found[0] if found else None
