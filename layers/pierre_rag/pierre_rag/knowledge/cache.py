"""Incremental embedding cache: vectors keyed by (model id, chunk hash) in a SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from pierre_rag.knowledge.embeddings import Embedder, Vectors
from pierre_rag.settings import PathSettings


def default_cache_dir() -> Path:
    """``$PIERRE_CACHE_DIR``, else ``$XDG_CACHE_HOME/pierre``, else ``~/.cache/pierre``."""
    return PathSettings.from_env().cache_dir


class EmbeddingCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS embeddings (model TEXT NOT NULL, chunk_hash TEXT NOT NULL,"
            " vector BLOB NOT NULL, PRIMARY KEY (model, chunk_hash)) WITHOUT ROWID"
        )

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, Vectors]:
        found: dict[str, Vectors] = {}
        for start in range(0, len(hashes), 500):
            batch = list(hashes[start : start + 500])
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                "SELECT chunk_hash, vector FROM embeddings"  # noqa: S608
                f" WHERE model = ? AND chunk_hash IN ({marks})",
                [model, *batch],
            )
            for chunk_hash, blob in rows:
                found[chunk_hash] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model: str, items: Sequence[tuple[str, Vectors]]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items],
            )

    def close(self) -> None:
        self._db.close()


def embed_cached(
    embedder: Embedder,
    texts: Sequence[str],
    hashes: Sequence[str],
    cache: EmbeddingCache | None,
    *,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> tuple[Vectors, int]:
    """Vectors for ``texts`` (row i ↔ text i), computing only cache misses.

    Returns the matrix and how many texts were actually embedded.
    """
    known = cache.get_many(embedder.model_id, hashes) if cache else {}
    missing = [i for i, h in enumerate(hashes) if h not in known]
    if progress:
        progress(len(texts) - len(missing))
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        vectors = embedder.embed([texts[i] for i in batch])
        fresh = [(hashes[i], vectors[j]) for j, i in enumerate(batch)]
        known.update(fresh)
        if cache:
            cache.put_many(embedder.model_id, fresh)
        if progress:
            progress(len(batch))
    if not texts:
        return np.zeros((0, embedder.dims), dtype=np.float32), 0
    return np.stack([known[h] for h in hashes]).astype(np.float32), len(missing)
