from __future__ import annotations

from collections.abc import Iterator
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
from pierre_rag.llm import LlmError, LlmUnavailableError
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def _embedding_calls(fake: FakeOpenAI) -> list[dict[str, Any]]:
    return [r for r in fake.requests if r["_path"] == "/v1/embeddings"]


def test_openai_embedder_batches_orders_and_normalises(fake: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder(
        "text-embedding-3-small", base_url=fake.base_url, api_key="sk-test", batch_size=2
    )
    # when three texts are embedded with a batch size of two
    vectors = embedder.embed(["a", "bbb", "cc"])
    # then two calls were made, rows follow the input order and are unit vectors
    calls = _embedding_calls(fake)
    assert [len(c["input"]) for c in calls] == [2, 1]
    assert calls[0]["model"] == "text-embedding-3-small"
    assert calls[0]["_headers"]["authorization"] == "Bearer sk-test"
    assert vectors.shape == (3, 3)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    assert vectors[1, 0] > vectors[2, 0] > vectors[0, 0]  # "bbb", "cc", "a": by length
    assert embedder.model_id == "openai:text-embedding-3-small"
    assert embedder.dims == 3
    assert isinstance(embedder, Embedder)


def test_openai_embedder_requests_fixed_dimensions(fake: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder("m", base_url=fake.base_url, dims=4)
    assert embedder.embed(["x"]).shape == (1, 4)
    assert _embedding_calls(fake)[0]["dimensions"] == 4


def test_openai_embedder_says_why_the_endpoint_refused(fake: FakeOpenAI) -> None:
    # Given an endpoint without that route (an OpenAI-compatible server without embeddings)
    embedder = OpenAIEmbedder("m", base_url=fake.base_url + "/nothing-here")

    # When texts are embedded, then the provider's reason is in the error, not retried
    with pytest.raises(LlmError, match=r"refused the request \(404\): no route") as refused:
        embedder.embed(["x"])
    assert not isinstance(refused.value, LlmUnavailableError)


def test_openai_embedder_reports_an_unreachable_endpoint() -> None:
    embedder = OpenAIEmbedder("m", base_url="http://127.0.0.1:9/v1", timeout_s=2)

    with pytest.raises(LlmUnavailableError, match="unavailable"):
        embedder.embed(["x"])


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
    built_datastore: Any, fake: FakeOpenAI
) -> None:
    from pierre_rag.knowledge.datastore import Datastore
    from pierre_rag.knowledge.errors import EmbeddingModelMismatchError
    from pierre_rag.knowledge.search import KnowledgeBase

    remote = OpenAIEmbedder("text-embedding-3-small", base_url=fake.base_url)
    with pytest.raises(EmbeddingModelMismatchError, match="openai:text-embedding-3-small"):
        KnowledgeBase(Datastore(built_datastore), remote)
    assert fake.requests == []
