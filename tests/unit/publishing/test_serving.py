"""Given a landlord's pointer in the memory stores, when the chat asks for its knowledge, then
it gets its live datastore, follows the pointer at most every 30 s, and falls back to the
layer's knowledge, reported, whenever the live one cannot be served."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pierre_rag.health import health_payload
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.publishing.memory import MemoryArtifacts, MemoryPublishing
from pierre_rag.publishing.models import Pointer, datastore_key
from pierre_rag.publishing.serving import LAYER, LandlordKnowledge, ServingProblem
from tests.unit.knowledge.fakes import FIXTURE_KNOWLEDGE, HashEmbedder
from tests.unit.publishing.serving_support import (
    LANDLORD,
    OTHER,
    V1,
    V2,
    V3,
    Ticks,
    build,
    files_found,
    landlord_sources,
    publish,
)

QUESTION = "horaires agence ouverte"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The layer's datastore and three landlord datastores (hours differ), built once."""
    root = tmp_path_factory.mktemp("serving")
    return {
        "layer": build(FIXTURE_KNOWLEDGE, root / "layer.sqlite", community=True),
        V1: build(landlord_sources(root, "le lundi"), root / "v1.sqlite"),
        V2: build(landlord_sources(root, "le mardi"), root / "v2.sqlite"),
        V3: build(landlord_sources(root, "le mercredi"), root / "v3.sqlite"),
        "other-model": build(
            landlord_sources(root, "le jeudi"), root / "other.sqlite", model_id="other:model"
        ),
    }


@pytest.fixture
def base(built: dict[str, Path]) -> Iterator[KnowledgeBase]:
    knowledge = KnowledgeBase.open(built["layer"], HashEmbedder())
    yield knowledge
    knowledge.datastore.close()


class Stores:
    def __init__(self) -> None:
        self.repository = MemoryPublishing()
        self.artifacts = MemoryArtifacts()
        self.downloads = 0
        download = self.artifacts.download_datastore

        def counted(key: str, file: Path) -> None:
            self.downloads += 1
            download(key, file)

        self.artifacts.download_datastore = counted  # type: ignore[method-assign]


@pytest.fixture
def stores() -> Stores:
    return Stores()


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def served(base: KnowledgeBase, stores: Stores, ticks: Ticks, tmp_path: Path) -> LandlordKnowledge:
    return LandlordKnowledge(
        base,
        stores.repository,
        stores.artifacts,
        tmp_path / "served",
        monotonic=ticks,
        clock=lambda: 1_700_000_000.0,
    )


def version_of(knowledge: KnowledgeBase) -> str:
    return knowledge.datastore.path.stem


def test_a_landlord_without_a_pointer_is_served_the_layer(served, base, stores):
    assert served.for_landlord(LANDLORD) is base
    assert served.status(LANDLORD).version == LAYER
    assert served.status(LANDLORD).problem is None
    assert stores.downloads == 0


def test_without_publishing_deployed_every_landlord_gets_the_base(base, tmp_path):
    served = LandlordKnowledge(base, None, None, tmp_path)

    assert served.for_landlord(LANDLORD) is base
    assert not served.deployed
    assert served.statuses() == {}


def test_a_published_datastore_serves_community_and_landlord_knowledge_together(
    served, base, stores, built
):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])

    knowledge = served.for_landlord(LANDLORD)

    assert version_of(knowledge) == V1
    assert knowledge.embedder is base.embedder and knowledge.config is base.config
    assert f"{LANDLORD}/horaires.md" in files_found(knowledge, LANDLORD, QUESTION)
    assert "commun/quitter-son-logement.md" in files_found(knowledge, LANDLORD, "préavis")
    assert f"{LANDLORD}/horaires.md" not in files_found(base, LANDLORD, QUESTION)
    status = served.status(LANDLORD)
    assert (status.version, status.opened_ms, status.problem) == (V1, 1_700_000_000_000, None)


def test_a_moved_pointer_is_not_seen_before_30_s_and_is_seen_after(served, stores, ticks, built):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])
    assert version_of(served.for_landlord(LANDLORD)) == V1

    publish(stores.repository, stores.artifacts, LANDLORD, V2, built[V2])
    ticks.advance(29.9)
    assert version_of(served.for_landlord(LANDLORD)) == V1

    ticks.advance(0.1)
    assert version_of(served.for_landlord(LANDLORD)) == V2
    assert stores.downloads == 2


def test_a_clock_gone_back_after_a_snapshot_restore_reads_the_pointer_again(
    served, stores, ticks, built
):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])
    served.for_landlord(LANDLORD)
    publish(stores.repository, stores.artifacts, LANDLORD, V2, built[V2])

    ticks.advance(-500)  # restored on a host whose monotonic clock is behind

    assert version_of(served.for_landlord(LANDLORD)) == V2


def test_a_missing_object_serves_the_layer_with_the_problem_then_recovers(
    served, base, stores, ticks, built, caplog
):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, None)  # pointer, no object

    with caplog.at_level(logging.ERROR, logger="pierre_rag.publishing.serving"):
        assert served.for_landlord(LANDLORD) is base
        ticks.advance(30)
        assert served.for_landlord(LANDLORD) is base
    assert served.status(LANDLORD).problem is ServingProblem.DOWNLOAD
    assert served.status(LANDLORD).version == LAYER
    assert len(caplog.records) == 1  # once per version and problem, not per check

    stores.artifacts.upload_datastore(datastore_key(LANDLORD, V1), built[V1])
    ticks.advance(30)
    assert version_of(served.for_landlord(LANDLORD)) == V1
    assert served.status(LANDLORD).problem is None


def test_a_corrupt_datastore_serves_the_layer_and_is_not_kept(served, base, stores, tmp_path):
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"not a sqlite file" * 100)
    publish(stores.repository, stores.artifacts, LANDLORD, V1, corrupt)

    assert served.for_landlord(LANDLORD) is base
    assert served.status(LANDLORD).problem is ServingProblem.CORRUPT
    assert not (tmp_path / "served" / LANDLORD / f"{V1}.sqlite").exists()


def test_a_datastore_of_another_embedding_model_serves_the_layer(served, base, stores, built):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built["other-model"])

    assert served.for_landlord(LANDLORD) is base
    assert served.status(LANDLORD).problem is ServingProblem.MODEL


def test_an_unreadable_pointer_keeps_the_live_version_and_reports_it(
    served, stores, ticks, built, monkeypatch
):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])
    served.for_landlord(LANDLORD)

    def unreachable(landlord: str) -> Pointer | None:
        raise ConnectionError("DynamoDB unreachable")

    monkeypatch.setattr(stores.repository, "pointer", unreachable)
    ticks.advance(30)
    assert version_of(served.for_landlord(LANDLORD)) == V1
    assert served.status(LANDLORD).problem is ServingProblem.POINTER

    monkeypatch.undo()
    ticks.advance(30)
    served.for_landlord(LANDLORD)
    assert served.status(LANDLORD).problem is None


def test_an_unreadable_pointer_without_a_live_version_serves_the_layer(
    served, base, stores, monkeypatch
):
    monkeypatch.setattr(stores.repository, "pointer", lambda landlord: 1 / 0)

    assert served.for_landlord(LANDLORD) is base
    assert served.status(LANDLORD).problem is ServingProblem.POINTER


def test_two_landlords_are_served_apart(served, base, stores, built):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])
    publish(stores.repository, stores.artifacts, OTHER, V2, None)  # its object is missing

    assert version_of(served.for_landlord(LANDLORD)) == V1
    assert served.for_landlord(OTHER) is base
    assert served.status(LANDLORD).problem is None
    assert served.status(OTHER).problem is ServingProblem.DOWNLOAD


def test_the_previous_version_stays_usable_and_older_files_are_deleted(
    served, stores, ticks, built, tmp_path
):
    folder = tmp_path / "served" / LANDLORD
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])
    first = served.for_landlord(LANDLORD)
    for version in (V2, V3):
        publish(stores.repository, stores.artifacts, LANDLORD, version, built[version])
        ticks.advance(30)
        previous = served.for_landlord(LANDLORD)

    assert version_of(previous) == V3
    assert sorted(path.name for path in folder.iterdir()) == [f"{V2}.sqlite", f"{V3}.sqlite"]
    with pytest.raises(Exception, match="closed"):
        first.datastore.chunk_count()  # two versions back: closed


def test_a_rollback_to_a_version_still_open_downloads_nothing(served, stores, ticks, built):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])
    served.for_landlord(LANDLORD)
    publish(stores.repository, stores.artifacts, LANDLORD, V2, built[V2])
    ticks.advance(30)
    served.for_landlord(LANDLORD)

    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])
    ticks.advance(30)

    assert version_of(served.for_landlord(LANDLORD)) == V1
    assert stores.downloads == 2


def test_concurrent_first_requests_download_once(served, stores, built):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])

    with ThreadPoolExecutor(max_workers=8) as pool:
        versions = set(pool.map(lambda _: version_of(served.for_landlord(LANDLORD)), range(16)))

    assert versions == {V1}
    assert stores.downloads == 1


def test_warm_fetches_every_served_landlord(served, stores, built):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])
    publish(stores.repository, stores.artifacts, OTHER, V2, built[V2])

    served.warm([LANDLORD, OTHER])

    assert stores.downloads == 2
    assert {s.version for s in served.statuses().values()} == {V1, V2}


def test_a_datastore_built_over_another_community_base_is_served_and_flagged(
    served, base, stores, built
):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1], community_hash="old")
    publish(stores.repository, stores.artifacts, OTHER, V2, built[V2])
    current = base.datastore.meta.source_hash
    publish(stores.repository, stores.artifacts, "tiers.fr", V3, built[V3], community_hash=current)

    served.warm([LANDLORD, OTHER, "tiers.fr"])

    assert served.status(LANDLORD).stale_community
    assert not served.status(OTHER).stale_community  # no hash recorded: nothing to tell
    assert not served.status("tiers.fr").stale_community


def test_the_browser_lists_the_live_datastores_files(served, stores, built):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])

    files = [entry.file for entry in served.browser(LANDLORD).files(LANDLORD, ["public"])]

    assert f"{LANDLORD}/horaires.md" in files


def test_health_names_each_landlords_version_and_problem_and_says_degraded(served, stores, built):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])
    publish(stores.repository, stores.artifacts, OTHER, V2, None)
    served.warm([LANDLORD, OTHER])

    payload = health_payload("chat", knowledge=served.statuses())

    assert payload["status"] == "degraded"
    assert payload["knowledge"] == {
        OTHER: {"version": LAYER, "problem": "download-failed", "stale_community": False},
        LANDLORD: {"version": V1, "problem": None, "stale_community": False},
    }


def test_health_stays_ok_when_every_landlord_is_served(served, stores, built):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])
    served.warm([LANDLORD, OTHER])

    assert health_payload("chat", knowledge=served.statuses())["status"] == "ok"


def test_a_served_folder_left_by_a_previous_container_is_cleaned(served, stores, built, tmp_path):
    stale = tmp_path / "served" / LANDLORD / "0000000000000000.sqlite"
    stale.parent.mkdir(parents=True)
    shutil.copy(built[V2], stale)
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])

    served.for_landlord(LANDLORD)

    assert not stale.exists()


def test_a_request_does_not_wait_for_another_requests_download_of_a_new_version(
    served, stores, ticks, built
):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])
    served.for_landlord(LANDLORD)
    publish(stores.repository, stores.artifacts, LANDLORD, V2, built[V2])
    ticks.advance(30)
    downloading, release = threading.Event(), threading.Event()
    download = stores.artifacts.download_datastore

    def slow(key: str, file: Path) -> None:
        downloading.set()
        release.wait()
        download(key, file)

    stores.artifacts.download_datastore = slow
    with ThreadPoolExecutor(max_workers=2) as pool:
        refreshing = pool.submit(served.for_landlord, LANDLORD)
        try:
            assert downloading.wait(timeout=10)
            meanwhile = pool.submit(served.for_landlord, LANDLORD).result(timeout=10)
        finally:
            release.set()  # a failed test must not leave the download blocked

        assert version_of(meanwhile) == V1
        assert version_of(refreshing.result(timeout=10)) == V2


def test_an_unexpected_failure_while_refreshing_is_logged_not_raised(
    served, base, stores, built, monkeypatch, caplog
):
    publish(stores.repository, stores.artifacts, LANDLORD, V1, built[V1])

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(served, "_open", broken)

    assert served.for_landlord(LANDLORD) is base
    assert "could not be refreshed" in caplog.text
