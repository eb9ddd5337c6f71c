"""A landlord's datastore: the community chunks of a built datastore copied with their
vectors (nothing embedded again), the landlord's own chunks beside them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pierre_rag.knowledge.build import CommunityBase, build_datastore
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.errors import EmbeddingModelMismatchError
from tests.unit.knowledge.fakes import HashEmbedder

HOURS = (
    "# Horaires\n\n## Quand ouvre l'agence ?\n\nDu lundi au vendredi, de 9 heures à 17 heures.\n"
)


def _landlord_sources(folder: Path) -> Path:
    page = folder / "exemple-hlm.fr" / "public" / "horaires.md"
    page.parent.mkdir(parents=True)
    page.write_text(HOURS, encoding="utf-8")
    return folder


def test_the_community_base_is_the_community_chunks_and_their_stored_vectors(built_datastore):
    base = CommunityBase.read(built_datastore)

    datastore = Datastore(built_datastore)
    try:
        community_ids = [
            cid
            for (cid,) in datastore._db.execute(
                "SELECT id FROM chunks WHERE scope = 'community' ORDER BY id"
            )
        ]
        records = datastore.chunks(community_ids)
        assert datastore.chunk_count() > len(community_ids) > 0  # the fixture has landlords too
        assert base.source_hash == datastore.meta.source_hash
        assert base.model_id == datastore.meta.embedding_model
    finally:
        datastore.close()
    assert [row.chunk_hash for row in base.rows] == [records[i].chunk_hash for i in community_ids]
    assert {row.scope for row in base.rows} == {"community"}
    assert base.vectors.shape == (len(community_ids), HashEmbedder().dims)
    texts = [row.embed_text for row in base.rows]
    assert np.allclose(base.vectors, HashEmbedder().embed(texts), atol=1e-6)
    assert base.topics is not None


def test_a_landlord_datastore_copies_the_community_and_embeds_only_its_own(
    built_datastore, tmp_path
):
    base = CommunityBase.read(built_datastore)
    embedder = HashEmbedder()

    report = build_datastore(
        [_landlord_sources(tmp_path / "sources")],
        tmp_path / "landlord.sqlite",
        embedder,
        base=base,
    )

    datastore = Datastore(report.path)
    try:
        own = report.chunks - report.copied
        assert report.copied == len(base.rows) and own > 0
        assert report.embedded == own == sum(embedder.calls)  # topics came with the base
        assert datastore.meta.community_hash == base.source_hash
        copied, vectors = datastore.community_chunks()
        assert [r.chunk_hash for r in copied] == [row.chunk_hash for row in base.rows]
        assert np.array_equal(vectors, base.vectors)
    finally:
        datastore.close()


def test_a_new_community_base_changes_the_landlord_datastore_hash(built_datastore, tmp_path):
    sources = _landlord_sources(tmp_path / "sources")
    base = CommunityBase.read(built_datastore)
    other = CommunityBase(base.rows[:1], base.vectors[:1], "another-hash", base.model_id, None)

    first = build_datastore([sources], tmp_path / "a.sqlite", HashEmbedder(), base=base)
    second = build_datastore([sources], tmp_path / "b.sqlite", HashEmbedder(), base=other)

    assert first.source_hash != second.source_hash


class RemoteEmbedder(HashEmbedder):
    """An embedder that learns its dimension from a first call (as OpenAIEmbedder does)."""

    @property
    def dims(self) -> int:
        self.calls.append(1)
        return super().dims


def test_a_landlord_without_sources_gets_the_community_alone(built_datastore, tmp_path):
    base = CommunityBase.read(built_datastore)
    embedder = RemoteEmbedder()

    report = build_datastore([], tmp_path / "community.sqlite", embedder, base=base)

    assert (report.chunks, report.copied, report.embedded) == (len(base.rows),) * 2 + (0,)
    assert embedder.calls == []  # nothing to embed: the remote model is not asked anything


def test_a_community_base_of_another_model_is_refused(built_datastore, tmp_path):
    base = CommunityBase.read(built_datastore)

    with pytest.raises(EmbeddingModelMismatchError):
        build_datastore([], tmp_path / "x.sqlite", HashEmbedder(model_id="test:other"), base=base)
