"""Fixtures for the knowledge tests: a datastore built once per session with a fake embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.embeddings import UseEmbedder
from pierre_rag.knowledge.search import KnowledgeBase
from tests.unit.knowledge.fakes import FIXTURE_KNOWLEDGE, HashEmbedder


@pytest.fixture(scope="session")
def fixture_knowledge() -> Path:
    return FIXTURE_KNOWLEDGE


@pytest.fixture(scope="session")
def built_datastore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture folder indexed with the fake embedder (fast; for storage tests)."""
    out = tmp_path_factory.mktemp("datastore") / "datastore.sqlite"
    build_datastore([FIXTURE_KNOWLEDGE], out, HashEmbedder())
    return out


@pytest.fixture(scope="session")
def use_embedder() -> UseEmbedder:
    """The real local model (deterministic, ~1 s to load): search behaviour is tested with it."""
    embedder = UseEmbedder(threads=1)
    embedder.load()
    return embedder


@pytest.fixture(scope="session")
def kb(tmp_path_factory: pytest.TempPathFactory, use_embedder: UseEmbedder) -> KnowledgeBase:
    out = tmp_path_factory.mktemp("datastore-use") / "datastore.sqlite"
    build_datastore([FIXTURE_KNOWLEDGE], out, use_embedder)
    return KnowledgeBase(Datastore(out), use_embedder)
