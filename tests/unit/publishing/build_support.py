"""A landlord builder over the in-memory publishing stores, a community base built from the
fixture knowledge with the hash embedder (no model to load), and a clock that only moves
forward when read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pierre_rag.knowledge.build import build_datastore, collect_chunks
from pierre_rag.publishing.build import LandlordBuilder
from pierre_rag.publishing.memory import MemoryArtifacts, MemoryPublishing, MemorySources
from pierre_rag.publishing.models import BuildMessage, ControlQuestion
from tests.unit.knowledge.fakes import FIXTURE_KNOWLEDGE, HashEmbedder

LANDLORD = "exemple-hlm.fr"
ADMIN = "admin@exemple-hlm.fr"

HOURS = """# Horaires de l'agence

## Quand l'agence est-elle ouverte ?

L'agence de la rue des Tilleuls accueille les locataires du lundi au vendredi,
de 9 heures à 12 heures et de 14 heures à 17 heures.
"""

CARETAKER = """# Gardiens

## Comment joindre le gardien de ma résidence ?

Le gardien de la résidence Les Peupliers tient une permanence dans sa loge chaque matin.
En son absence, laissez un message au secrétariat de l'agence.
"""


class SteppingClock:
    """Epoch seconds that advance one second at each reading: every record is later than the
    one before, and no test reads the wall clock."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def build_base(folder: Path, embedder: HashEmbedder, sources: list[Path] | None = None) -> Path:
    """The layer's datastore: by default the fixture knowledge (community and landlord files;
    a landlord build copies only the community ones)."""
    out = folder / "base.sqlite"
    build_datastore(sources or [FIXTURE_KNOWLEDGE], out, embedder)
    return out


@dataclass
class Publishing:
    sources: MemorySources
    artifacts: MemoryArtifacts
    repository: MemoryPublishing
    builder: LandlordBuilder
    embedder: HashEmbedder
    clock: SteppingClock
    requests: int = 0

    def edit(self, path: str, text: str) -> None:
        self.sources.write(LANDLORD, path, text.encode(), ADMIN)

    def request(self, build_id: str | None = None) -> BuildMessage:
        self.requests += 1
        return BuildMessage(
            landlord=LANDLORD, build_id=build_id or f"build{self.requests:04d}", actor=ADMIN
        )

    def own_chunks(self, folder: Path) -> int:
        """How many chunks the landlord's current sources make (as the build chunks them)."""
        self.sources.snapshot(LANDLORD, folder)
        return len(collect_chunks([folder]))

    def add_control(self, question: str, expected_file: str) -> None:
        self.repository.put_control(
            ControlQuestion(
                landlord=LANDLORD,
                id=f"control{len(self.repository.controls(LANDLORD)):04d}",
                question=question,
                expected_file=expected_file,
                created_ms=0,
                created_by=ADMIN,
            )
        )


def publishing(
    tmp_path: Path,
    base: Path,
    embedder: HashEmbedder | None = None,
    *,
    stores_of: Publishing | None = None,
) -> Publishing:
    """A builder over new stores, or over those of ``stores_of`` (another container)."""
    clock = stores_of.clock if stores_of else SteppingClock()
    embedder = embedder or HashEmbedder()
    if stores_of is None:
        sources, artifacts, repository = MemorySources(clock), MemoryArtifacts(), MemoryPublishing()
    else:
        sources, artifacts = stores_of.sources, stores_of.artifacts
        repository = stores_of.repository
    builder = LandlordBuilder(
        sources=sources,
        artifacts=artifacts,
        repository=repository,
        base_datastore=base,
        embedder=embedder,
        work_dir=tmp_path / "work",
        clock=clock,
        timer=clock,
    )
    return Publishing(sources, artifacts, repository, builder, embedder, clock)
