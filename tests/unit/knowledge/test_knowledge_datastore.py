from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from pierre_rag.knowledge import build
from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.cache import EmbeddingCache
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.errors import DatastoreError, EmbeddingModelMismatchError
from pierre_rag.knowledge.models import SCHEMA_VERSION
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.knowledge.sqlite import driver, open_readonly
from tests.unit.knowledge.fakes import FIXTURE_KNOWLEDGE, HashEmbedder


def test_meta_records_how_the_datastore_was_built(built_datastore: Path) -> None:
    meta = Datastore(built_datastore).meta
    assert meta.embedding_model == "test:hash"
    assert meta.dims == 64
    assert meta.schema_version == SCHEMA_VERSION
    assert meta.chunk_count == Datastore(built_datastore).chunk_count() > 5
    assert len(meta.source_hash) == 64


def test_datastore_is_opened_read_only(built_datastore: Path) -> None:
    # given the datastore opened the way Lambda opens it
    db = open_readonly(built_datastore)
    # when something tries to write, then SQLite refuses
    with pytest.raises(driver().Error):
        db.execute("DELETE FROM chunks")
    assert db.execute("SELECT count(*) FROM chunks").fetchone()[0] > 0


def test_missing_or_foreign_file_is_a_datastore_error(tmp_path: Path) -> None:
    with pytest.raises(DatastoreError, match="not found"):
        Datastore(tmp_path / "nope.sqlite")
    other = tmp_path / "other.sqlite"
    other.write_bytes(b"")
    with pytest.raises(DatastoreError, match="not a PIERRE datastore"):
        Datastore(other)


def test_query_model_mismatch_is_refused(built_datastore: Path) -> None:
    datastore = Datastore(built_datastore)
    # given an embedder that is not the one that built the datastore
    with pytest.raises(EmbeddingModelMismatchError, match="test:hash"):
        KnowledgeBase(datastore, HashEmbedder(model_id="other:model"))
    with pytest.raises(EmbeddingModelMismatchError, match="32 dims"):
        KnowledgeBase(datastore, HashEmbedder(dims=32))
    # and a raw vector of the wrong model is refused at the lowest level too
    with pytest.raises(EmbeddingModelMismatchError):
        datastore.knn(np.ones(64, dtype=np.float32), "other:model", ["community"], 3)


def test_build_is_incremental_through_the_embedding_cache(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    first, second = HashEmbedder(), HashEmbedder()
    # given a first build that fills the cache
    report = build_datastore([FIXTURE_KNOWLEDGE], tmp_path / "a.sqlite", first, cache=cache)
    assert report.embedded == report.chunks > 0
    # when the same sources are built again
    again = build_datastore([FIXTURE_KNOWLEDGE], tmp_path / "b.sqlite", second, cache=cache)
    # then nothing is embedded a second time
    assert again.embedded == 0 and second.calls == []
    assert again.source_hash == report.source_hash


def test_failed_build_keeps_the_previous_datastore(tmp_path: Path) -> None:
    out = tmp_path / "datastore.sqlite"
    build_datastore([FIXTURE_KNOWLEDGE], out, HashEmbedder())
    before = out.read_bytes()

    class Broken(HashEmbedder):
        def embed(self, texts):
            raise RuntimeError("endpoint down")

    # when a rebuild fails half-way
    with pytest.raises(RuntimeError):
        build_datastore([FIXTURE_KNOWLEDGE], out, Broken())
    # then the old file is intact and no temporary file is left behind
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["datastore.sqlite"]


# Imported by the build without shaping what the datastore holds: the embedder and its cache
# are in the salt by model id, the rest reads or writes the file.
_NOT_INDEXING = {"cache", "datastore", "embeddings", "errors", "models", "sqlite"}


def test_every_module_the_build_indexes_with_is_in_the_code_fingerprint() -> None:
    # Given the knowledge modules the build imports
    source = Path(build.__file__).read_text(encoding="utf-8")
    imported = set(re.findall(r"^from pierre_rag\.knowledge\.(\w+) import", source, re.M))

    # Then a change to any that shapes the index rebuilds cached datastores
    assert {f"{name}.py" for name in imported - _NOT_INDEXING} <= set(build.INDEXING_MODULES)
