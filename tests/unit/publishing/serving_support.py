"""Small datastores and memory stores for the serving tests: a community-only base and
landlord datastores (community + landlord chunks) published under a pointer."""

from __future__ import annotations

import shutil
from pathlib import Path

from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.publishing.memory import MemoryArtifacts, MemoryPublishing
from pierre_rag.publishing.models import Pointer, datastore_key
from tests.unit.knowledge.fakes import FIXTURE_KNOWLEDGE, HashEmbedder

LANDLORD = "pierre-habitat.fr"
OTHER = "autre-bailleur.fr"
V1, V2, V3 = "1111111111111111", "2222222222222222", "3333333333333333"


def landlord_sources(root: Path, hours: str) -> Path:
    """The fixture knowledge with the landlord's agency hours set to ``hours``."""
    folder = root / f"knowledge-{hours.replace(' ', '-')}"
    shutil.copytree(FIXTURE_KNOWLEDGE, folder)
    (folder / LANDLORD / "horaires.md").write_text(
        f"# Horaires de l'agence\n\n## Quand l'agence est-elle ouverte ?\n\n"
        f"L'agence Pierre Habitat vous reçoit {hours}.\n",
        encoding="utf-8",
    )
    return folder


def build(
    sources: Path, out: Path, *, model_id: str = "test:hash", community: bool = False
) -> Path:
    build_datastore([sources], out, HashEmbedder(model_id), community_only=community)
    return out


def publish(
    repository: MemoryPublishing,
    artifacts: MemoryArtifacts,
    landlord: str,
    version: str,
    datastore: Path | None,
    *,
    community_hash: str = "",
) -> None:
    """Upload ``datastore`` (None: upload nothing) and point ``landlord`` at it."""
    key = datastore_key(landlord, version)
    if datastore is not None:
        artifacts.upload_datastore(key, datastore)
    current = repository.pointer(landlord)
    pointer = Pointer(
        landlord=landlord,
        version=version,
        object_key=key,
        published_ms=0,
        published_by="test",
        community_hash=community_hash,
    )
    repository.move_pointer(pointer, current.version if current else None)


def files_found(knowledge: KnowledgeBase, landlord: str, query: str) -> list[str]:
    response = knowledge.search(query, k=5, landlord=landlord, access=("community", "public"))
    return [result.file for result in response.results]


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
