"""The project's knowledge answers a breakdown the way tenants report it (slow: the real model
over ``knowledge/``). The heating article spoke of savings and temperatures only, so "mon
radiateur ne chauffe plus" was answered with the recommended 19 °C."""

from __future__ import annotations

from pathlib import Path

import pytest

from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.embeddings import UseEmbedder
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.knowledge.search import KnowledgeBase
from tests.helpers import REPO_ROOT

BREAKDOWNS = ("ne marche plus", "panne")


@pytest.fixture(scope="module")
def project_knowledge(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    embedder = UseEmbedder(threads=1)
    out: Path = tmp_path_factory.mktemp("project-kb") / "datastore.sqlite"
    build_datastore([REPO_ROOT / "knowledge" / "commun"], out, embedder, community_only=True)
    return KnowledgeBase.open(out, embedder)


@pytest.mark.parametrize(
    "message",
    [
        "Mon radiateur ne chauffe plus depuis hier",
        "mon chauffage ne marche plus",
        "plus de chauffage depuis ce matin",
    ],
)
def test_a_heating_breakdown_finds_a_section_on_breakdowns(
    project_knowledge: KnowledgeBase, message: str
) -> None:
    # When a tenant reports a heating breakdown in their own words
    found = project_knowledge.search(message, k=6, access=(AccessLevel.COMMUNITY,))

    # Then the first section found is about a breakdown, not about savings or temperatures
    heading = found.results[0].heading_path[-1].lower()
    assert any(word in heading for word in BREAKDOWNS), heading
