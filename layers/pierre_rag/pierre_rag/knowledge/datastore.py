"""Read side of ``datastore.sqlite``: metadata, BM25, KNN and name look-ups, scope-filtered.

Every query takes the caller's visible *scopes* (see :func:`sources.visible_scopes`), so
access filtering happens inside SQL and never after the fact.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pierre_rag.knowledge.acronyms import Acronym
from pierre_rag.knowledge.embeddings import Vectors
from pierre_rag.knowledge.errors import DatastoreError, EmbeddingModelMismatchError
from pierre_rag.knowledge.models import SCHEMA_VERSION, AccessLevel, DatastoreMeta
from pierre_rag.knowledge.sqlite import open_readonly
from pierre_rag.knowledge.text import singular, stem_all, tokens

BM25_WEIGHTS = (2.0, 1.0, 2.0, 1.0)  # head, body, head_stem, body_stem


@dataclass(frozen=True)
class ChunkRecord:
    id: int
    file: str
    title: str
    heading_path: list[str]
    headings: list[str]
    text: str
    access: AccessLevel
    landlord: str | None
    chunk_hash: str


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


_RECORD_COLUMNS = "id, file, title, heading_path, headings, text, access, landlord, chunk_hash"


def _record(row: Sequence[Any]) -> ChunkRecord:
    """A ``chunks`` row selected as :data:`_RECORD_COLUMNS`."""
    return ChunkRecord(
        id=int(row[0]),
        file=row[1],
        title=row[2],
        heading_path=json.loads(row[3]),
        headings=json.loads(row[4]),
        text=row[5],
        access=AccessLevel(row[6]),
        landlord=row[7],
        chunk_hash=row[8],
    )


class Datastore:
    """A datastore opened read-only (``immutable=1``); safe to share across requests."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: Any = open_readonly(path)
        try:
            values = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
            self.meta = DatastoreMeta.model_validate(values)
        except Exception as exc:
            self._db.close()
            raise DatastoreError(f"{path} is not a PIERRE datastore: {exc}") from exc
        if self.meta.schema_version != SCHEMA_VERSION:
            self._db.close()
            raise DatastoreError(
                f"{path} has schema version {self.meta.schema_version}, expected {SCHEMA_VERSION}:"
                " rebuild it with `pierre knowledge build`"
            )

    def close(self) -> None:
        self._db.close()

    @property
    def connection(self) -> Any:
        """The read-only connection (a browser of the same file shares it)."""
        return self._db

    def check_model(self, model_id: str, dims: int | None) -> None:
        """Refuse vectors from another model: their distances would be meaningless.

        ``dims=None`` (not known yet) checks the model id only.
        """
        if model_id != self.meta.embedding_model or dims not in (None, self.meta.dims):
            raise EmbeddingModelMismatchError(
                f"datastore {self.path.name} was built with {self.meta.embedding_model} "
                f"({self.meta.dims} dims); the query was embedded with {model_id} ({dims} dims)"
            )

    def topic_vectors(self, fingerprint: str) -> Vectors | None:
        """The scope gate's topic vectors stored at build under ``fingerprint``
        (``knowledge.scope``), or None: none of it, or a datastore built before they were
        stored."""
        stored = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'topic_vectors'"
        ).fetchone()
        row = (
            stored
            and self._db.execute(
                "SELECT vectors FROM topic_vectors WHERE fingerprint = ?", (fingerprint,)
            ).fetchone()
        )
        width = 4 * self.meta.dims  # float32
        if not row or not row[0] or len(row[0]) % width:
            return None
        return np.frombuffer(row[0], dtype=np.float32).reshape(-1, self.meta.dims)

    def bm25(self, match: str, scopes: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """``(chunk id, score)`` best first; higher score is better."""
        if not match or not scopes:
            return []
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        sql = (
            f"SELECT f.rowid, -bm25(chunks_fts, {weights}) AS s FROM chunks_fts f "  # noqa: S608
            "JOIN chunks c ON c.id = f.rowid WHERE chunks_fts MATCH ? "
            f"AND c.scope IN ({_marks(scopes)}) "
            "ORDER BY s DESC LIMIT ?"
        )
        return [(int(i), float(s)) for i, s in self._db.execute(sql, [match, *scopes, limit])]

    @functools.cached_property
    def acronyms(self) -> dict[str, Acronym]:
        """The acronyms the knowledge defines (``knowledge.acronyms``), by folded letters; none
        for a datastore built before they were stored."""
        stored = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'acronyms'"
        ).fetchone()
        if not stored:
            return {}
        rows = self._db.execute("SELECT letters, words, also_a_word FROM acronyms")
        return {
            str(letters): Acronym(str(letters), tuple(str(words).split()), bool(also))
            for letters, words, also in rows
        }

    @functools.cached_property
    def _title_stems(self) -> dict[str, list[tuple[str, str]]]:
        """Stem → the (file, scope) pairs whose title field holds it (read once; small)."""
        index: dict[str, list[tuple[str, str]]] = {}
        for file, scope, title in self._db.execute("SELECT file, scope, title FROM files"):
            for stem in dict.fromkeys(stem_all(tokens(title))):
                index.setdefault(stem, []).append((str(file), str(scope)))
        return index

    @functools.cached_property
    def _title_words(self) -> dict[str, frozenset[str]]:
        """File → the folded singular words of its title field (``singular``)."""
        rows = self._db.execute("SELECT file, title FROM files")
        return {str(file): frozenset(map(singular, tokens(title))) for file, title in rows}

    def titled_with_all(self, stems: Sequence[str], scopes: Sequence[str]) -> list[str]:
        """The visible files whose title field holds every one of ``stems``."""
        holders: set[str] | None = None
        for stem in dict.fromkeys(stems):
            files = {f for f, scope in self._title_stems.get(stem, ()) if scope in scopes}
            holders = files if holders is None else holders & files
        return sorted(holders or ())

    def named_files(
        self,
        stems: Sequence[str],
        scopes: Sequence[str],
        max_files: int,
        exact: Mapping[str, frozenset[str]] | None = None,
    ) -> list[str]:
        """Files whose title holds a query stem that titles at most ``max_files`` visible
        files (a name: "alur", "visale"; not "logement"), most such stems first. A stem in
        ``exact`` counts only where the title writes one of its words given there, in the
        singular or the plural."""
        counts: dict[str, int] = {}
        exact = exact or {}
        for stem in dict.fromkeys(stems):
            holders = {f for f, scope in self._title_stems.get(stem, ()) if scope in scopes}
            if len(holders) > max_files:
                continue
            if stem in exact:
                words = {singular(word) for word in exact[stem]}
                holders = {f for f in holders if words & self._title_words.get(f, set())}
            for file in holders:
                counts[file] = counts.get(file, 0) + 1
        return sorted(counts, key=lambda file: (-counts[file], file))

    def files_of(self, ids: Sequence[int]) -> dict[int, str]:
        """Each chunk id's file."""
        if not ids:
            return {}
        sql = f"SELECT id, file FROM chunks WHERE id IN ({_marks(ids)})"  # noqa: S608
        return {int(i): str(f) for i, f in self._db.execute(sql, list(ids))}

    def knn(
        self, vector: Vectors, model_id: str, scopes: Sequence[str], k: int
    ) -> list[tuple[int, float]]:
        """``(chunk id, cosine)`` best first, over the visible partitions only."""
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        self.check_model(model_id, int(query.shape[0]))
        blob = query.tobytes()
        k = min(k, 4096)  # vec0's limit
        hits: list[tuple[int, float]] = []
        for scope in scopes:
            rows = self._db.execute(
                "SELECT rowid, distance FROM chunks_vec"
                " WHERE embedding MATCH ? AND k = ? AND scope = ?",
                (blob, k, scope),
            )
            hits.extend((int(i), 1.0 - float(d)) for i, d in rows)
        hits.sort(key=lambda hit: -hit[1])
        return hits[:k]

    def names(self, grams: Sequence[str], scopes: Sequence[str]) -> list[tuple[int, str]]:
        if not grams or not scopes:
            return []
        sql = (
            "SELECT n.chunk_id, n.name FROM names n JOIN chunks c ON c.id = n.chunk_id "  # noqa: S608
            f"WHERE n.name IN ({_marks(grams)}) AND c.scope IN ({_marks(scopes)})"
        )
        return [(int(i), str(n)) for i, n in self._db.execute(sql, [*grams, *scopes])]

    def known_names(self, grams: Sequence[str]) -> list[str]:
        """Which of ``grams`` are names in the names index (any scope)."""
        if not grams:
            return []
        sql = f"SELECT DISTINCT name FROM names WHERE name IN ({_marks(grams)})"  # noqa: S608
        return [str(n) for (n,) in self._db.execute(sql, list(grams))]

    def doc_freqs(self, kind: str, terms: Sequence[str]) -> dict[str, int]:
        """Document frequency of ``terms`` (``kind`` = ``stem`` or ``word``); unknown → absent."""
        if not terms:
            return {}
        sql = f"SELECT term, df FROM vocab WHERE kind = ? AND term IN ({_marks(terms)})"  # noqa: S608
        return {str(t): int(df) for t, df in self._db.execute(sql, [kind, *terms])}

    def side_by_side(self, first: str, second: str) -> int:
        """How many chunks write the words ``first`` then ``second`` together ("LOCA-PASS",
        "Mobili Jeune"); both are folded word tokens."""
        match = f'{{head body}} : "{first} {second}"'
        row = self._db.execute(
            "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?", (match,)
        ).fetchone()
        return int(row[0])

    def chunks(self, ids: Sequence[int]) -> dict[int, ChunkRecord]:
        if not ids:
            return {}
        sql = f"SELECT {_RECORD_COLUMNS} FROM chunks WHERE id IN ({_marks(ids)})"  # noqa: S608
        return {int(row[0]): _record(row) for row in self._db.execute(sql, list(ids))}

    def community_chunks(self) -> tuple[list[ChunkRecord], Vectors]:
        """Every community chunk, in index order, and its stored vector (row i ↔ chunk i):
        what a landlord's build copies instead of embedding the community again."""
        scope = AccessLevel.COMMUNITY.value
        sql = f"SELECT {_RECORD_COLUMNS} FROM chunks WHERE scope = ? ORDER BY id"  # noqa: S608
        records = [_record(row) for row in self._db.execute(sql, (scope,))]
        stored = {
            int(rowid): blob
            for rowid, blob in self._db.execute(
                "SELECT rowid, embedding FROM chunks_vec WHERE scope = ?", (scope,)
            )
        }
        missing = [record.id for record in records if record.id not in stored]
        if missing:
            raise DatastoreError(f"{self.path}: chunks without a vector: {missing[:5]}")
        if not records:
            return [], np.zeros((0, self.meta.dims), dtype=np.float32)
        vectors = np.stack(
            [np.frombuffer(stored[record.id], dtype=np.float32) for record in records]
        )
        return records, vectors

    def chunk_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])
