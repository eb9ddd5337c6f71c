from __future__ import annotations

from pathlib import Path

import pytest

from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.embeddings import UseEmbedder
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.landlords import LandlordRegistry
from tests.helpers import REPO_ROOT

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "pipeline_kb"


@pytest.fixture(scope="session")
def embedder() -> UseEmbedder:
    return UseEmbedder(threads=1)


@pytest.fixture(scope="session")
def knowledge(tmp_path_factory: pytest.TempPathFactory, embedder: UseEmbedder) -> KnowledgeBase:
    out: Path = tmp_path_factory.mktemp("kb") / "datastore.sqlite"
    build_datastore([FIXTURE], out, embedder)
    return KnowledgeBase.open(out, embedder)


@pytest.fixture(scope="session")
def registry() -> LandlordRegistry:
    return LandlordRegistry.from_directory(FIXTURE)
