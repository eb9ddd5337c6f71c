"""Test doubles for the knowledge tests."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.embeddings import Vectors, normalise
from pierre_rag.knowledge.text import tokens

FIXTURE_KNOWLEDGE = Path(__file__).resolve().parents[2] / "fixtures" / "knowledge"


class HashEmbedder:
    """Deterministic bag-of-words vectors: no model to load, similar texts stay close."""

    def __init__(self, model_id: str = "test:hash", dims: int = 64) -> None:
        self._model_id = model_id
        self._dims = dims
        self.calls: list[int] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dims(self) -> int:
        return self._dims

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        matrix = np.zeros((len(texts), self._dims), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in tokens(text) or ["empty"]:
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                matrix[row, int.from_bytes(digest, "little") % self._dims] += 1.0
        return normalise(matrix)


def hash_datastore(folder: Path, files: Mapping[str, str]) -> Datastore:
    """A datastore of ``files`` (file name → Markdown), written under ``folder`` with the
    sources beside it and embedded by :class:`HashEmbedder`."""
    source = folder / "knowledge"
    source.mkdir()
    for name, markdown in files.items():
        (source / name).write_text(markdown, encoding="utf-8")
    out = folder / "datastore.sqlite"
    build_datastore([source], out, HashEmbedder())
    return Datastore(out)
