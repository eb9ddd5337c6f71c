from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from pierre_rag.knowledge.embeddings import (
    USE_MODEL_ID,
    Embedder,
    OpenAIEmbedder,
    UseEmbedder,
    embedder_from_env,
)


class FakeEmbeddingsAPI:
    """Stands in for ``client.embeddings``: records calls, returns unnormalised vectors."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def create(self, **kwargs: Any) -> SimpleNamespace:
        self.calls.append(kwargs)
        data = [
            SimpleNamespace(index=i, embedding=[float(len(text)), 1.0, 0.0])
            for i, text in enumerate(kwargs["input"])
        ]
        return SimpleNamespace(data=list(reversed(data)))  # the API may return any order


def test_openai_embedder_batches_orders_and_normalises() -> None:
    api = FakeEmbeddingsAPI()
    embedder = OpenAIEmbedder(
        "text-embedding-3-small", batch_size=2, client=SimpleNamespace(embeddings=api)
    )
    # when three texts are embedded with a batch size of two
    vectors = embedder.embed(["a", "bbb", "cc"])
    # then two calls were made, rows follow the input order and are unit vectors
    assert [len(c["input"]) for c in api.calls] == [2, 1]
    assert vectors.shape == (3, 3)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    assert vectors[1, 0] > vectors[0, 0]  # "bbb" is longer than "a"
    assert embedder.model_id == "openai:text-embedding-3-small"
    assert embedder.dims == 3
    assert isinstance(embedder, Embedder)


def test_openai_embedder_requests_fixed_dimensions() -> None:
    api = FakeEmbeddingsAPI()
    embedder = OpenAIEmbedder("m", dims=3, client=SimpleNamespace(embeddings=api))
    embedder.embed(["x"])
    assert api.calls[0]["dimensions"] == 3


def test_embedder_from_env_selects_the_adapter() -> None:
    assert embedder_from_env({}).model_id == USE_MODEL_ID
    remote = embedder_from_env(
        {
            "PIERRE_EMBEDDINGS_MODEL": "mistral-embed",
            "PIERRE_EMBEDDINGS_BASE_URL": "http://localhost:1/v1",
            "PIERRE_EMBEDDINGS_API_KEY": "k",
            "PIERRE_EMBEDDINGS_DIMS": "1024",
        }
    )
    assert isinstance(remote, OpenAIEmbedder)
    assert (remote.model_id, remote.dims) == ("openai:mistral-embed", 1024)


def test_use_embedder_returns_unit_vectors_of_512_dims(kb: Any) -> None:
    embedder: UseEmbedder = kb.embedder
    vectors = embedder.embed(["Quel est le préavis ?", "What is the notice period?"])
    assert vectors.shape == (2, 512)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert embedder.embed([]).shape == (0, 512)


def test_remote_embedder_mismatch_is_refused_without_calling_the_endpoint(
    built_datastore: Any,
) -> None:
    from pierre_rag.knowledge.datastore import Datastore
    from pierre_rag.knowledge.errors import EmbeddingModelMismatchError
    from pierre_rag.knowledge.search import KnowledgeBase

    api = FakeEmbeddingsAPI()
    remote = OpenAIEmbedder("text-embedding-3-small", client=SimpleNamespace(embeddings=api))
    with pytest.raises(EmbeddingModelMismatchError, match="openai:text-embedding-3-small"):
        KnowledgeBase(Datastore(built_datastore), remote)
    assert api.calls == []
