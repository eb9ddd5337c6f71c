"""A landlord's build over the in-memory stores: published, unchanged, failed, locked."""

from __future__ import annotations

from pathlib import Path

import pytest

from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.publishing.build import PUBLISHED_MEANWHILE, BuildBusyError
from pierre_rag.publishing.memory import MemoryArtifacts
from pierre_rag.publishing.models import BuildStatus, ChangeAction, Pointer, datastore_key
from tests.unit.knowledge.fakes import HashEmbedder
from tests.unit.publishing.build_support import (
    ADMIN,
    CARETAKER,
    HOURS,
    LANDLORD,
    build_base,
    publishing,
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_base(tmp_path_factory.mktemp("base"), HashEmbedder())


def _files(artifacts: MemoryArtifacts, key: str, folder: Path) -> dict[str, str]:
    """Each file of a stored datastore and its scope."""
    artifacts.download_datastore(key, folder / "check.sqlite")
    datastore = Datastore(folder / "check.sqlite")
    try:
        rows = datastore._db.execute("SELECT file, scope FROM files").fetchall()
        return {str(file): str(scope) for file, scope in rows}
    finally:
        datastore.close()


def test_a_build_publishes_the_community_and_the_landlord_in_one_datastore(tmp_path, base):
    # given a landlord with a public and a staff source
    pub = publishing(tmp_path, base)
    pub.edit("public/horaires.md", HOURS)
    pub.edit("staff/gardiens.md", CARETAKER)

    # when its build runs
    build = pub.builder.run(pub.request())

    # then the pointer names the uploaded version, recorded as a PUBLISH change
    pointer = pub.repository.pointer(LANDLORD)
    assert build.status is BuildStatus.PUBLISHED
    assert pointer is not None and pointer.version == build.version
    assert pointer.object_key == build.object_key == datastore_key(LANDLORD, build.version)
    assert pointer.published_by == ADMIN
    changes = pub.repository.changes(LANDLORD)
    assert [(c.action, c.version_id) for c in changes] == [(ChangeAction.PUBLISH, build.version)]
    # and the datastore holds the layer's community files, the landlord's, no other landlord's
    files = _files(pub.artifacts, build.object_key, tmp_path)
    assert files[f"{LANDLORD}/public/horaires.md"] == f"public@{LANDLORD}"
    assert files[f"{LANDLORD}/staff/gardiens.md"] == f"staff@{LANDLORD}"
    assert files["commun/quitter-son-logement.md"] == "community"
    assert set(files.values()) == {"community", f"public@{LANDLORD}", f"staff@{LANDLORD}"}
    assert build.chunks == build.embedded == pub.own_chunks(tmp_path / "own")
    assert pointer.community_hash == build.community_hash == pub.builder.base.source_hash


def test_the_same_sources_again_publish_nothing_new(tmp_path, base):
    # given a published landlord
    pub = publishing(tmp_path, base)
    pub.edit("public/horaires.md", HOURS)
    first = pub.builder.run(pub.request())
    pointer = pub.repository.pointer(LANDLORD)

    # when the same message comes twice, and a new request finds the same sources
    again = pub.builder.run(pub.request(first.id))
    unchanged = pub.builder.run(pub.request())

    # then the first is answered from its record and the second is UNCHANGED: same pointer,
    # one object, one change
    assert again == first
    assert unchanged.status is BuildStatus.UNCHANGED
    assert unchanged.version == first.version and not unchanged.object_key
    assert pub.repository.pointer(LANDLORD) == pointer
    assert list(pub.artifacts.objects) == [first.object_key]
    assert len(pub.repository.changes(LANDLORD)) == 1


def test_a_landlord_without_sources_gets_the_community(tmp_path, base):
    pub = publishing(tmp_path, base)

    build = pub.builder.run(pub.request())

    assert build.status is BuildStatus.PUBLISHED
    assert build.chunks == build.embedded == 0
    assert set(_files(pub.artifacts, build.object_key, tmp_path).values()) == {"community"}


def test_an_edit_gives_a_new_version_and_the_cache_embeds_only_what_changed(tmp_path, base):
    # given a published landlord with two sources
    pub = publishing(tmp_path, base)
    pub.edit("public/horaires.md", HOURS)
    pub.edit("public/gardiens.md", CARETAKER)
    first = pub.builder.run(pub.request())

    # when one source is edited
    pub.edit("public/horaires.md", HOURS.replace("17 heures", "18 heures"))
    second = pub.builder.run(pub.request())

    # then a new version is published, with one chunk embedded
    assert second.status is BuildStatus.PUBLISHED and second.version != first.version
    assert (second.chunks, second.embedded) == (first.chunks, 1)
    assert pub.repository.pointer(LANDLORD).version == second.version  # type: ignore[union-attr]


def test_a_rebuild_over_a_new_community_base_embeds_nothing_from_the_landlord(tmp_path, base):
    # given a landlord published once: its embedding cache is stored
    pub = publishing(tmp_path, base)
    pub.edit("public/horaires.md", HOURS)
    pub.edit("staff/gardiens.md", CARETAKER)
    first = pub.builder.run(pub.request())
    # and a new layer (another community base) in a new container with a fresh embedder
    fixture_community = Path(__file__).resolve().parents[2] / "fixtures" / "knowledge" / "commun"
    new_base = build_base(tmp_path, HashEmbedder(), [fixture_community])
    embedder = HashEmbedder()
    later = publishing(tmp_path / "later", new_base, embedder, stores_of=pub)

    # when it builds the same sources
    rebuilt = later.builder.run(pub.request())

    # then a new version is published and no landlord chunk is embedded again
    assert rebuilt.status is BuildStatus.PUBLISHED and rebuilt.version != first.version
    assert (rebuilt.chunks, rebuilt.embedded) == (first.chunks, 0)
    assert first.embedded == first.chunks > 0
    assert embedder.calls == []


def test_a_bad_source_fails_with_its_reason_and_leaves_the_pointer(tmp_path, base):
    # given a published landlord
    pub = publishing(tmp_path, base)
    pub.edit("public/horaires.md", HOURS)
    published = pub.builder.run(pub.request())

    # when a source with broken front matter is built
    pub.edit("public/tarifs.md", "---\naccess: [not, closed\n---\n# Tarifs\n\nDu texte.\n")
    failed = pub.builder.run(pub.request())

    # then the build failed, naming the file, and nothing was published or uploaded
    assert failed.status is BuildStatus.FAILED
    assert f"{LANDLORD}/public/tarifs.md" in failed.error
    assert "front matter" in failed.error
    assert pub.repository.build(LANDLORD, failed.id) == failed
    assert pub.repository.pointer(LANDLORD).version == published.version  # type: ignore[union-attr]
    assert list(pub.artifacts.objects) == [published.object_key]
    # and the lock is free for the next build
    assert pub.repository.claim_build(LANDLORD, "nextbuild", 0, 1000)


def test_a_source_whose_access_contradicts_its_folder_fails(tmp_path, base):
    pub = publishing(tmp_path, base)
    pub.edit("public/procedure.md", "---\naccess: staff\n---\n# Procédure\n\nDu texte.\n")

    failed = pub.builder.run(pub.request())

    assert failed.status is BuildStatus.FAILED
    assert "contradicts" in failed.error and pub.repository.pointer(LANDLORD) is None


def test_a_build_waits_while_another_holds_the_lock(tmp_path, base):
    # given another build of the landlord holding the lock
    pub = publishing(tmp_path, base)
    pub.edit("public/horaires.md", HOURS)
    assert pub.repository.claim_build(LANDLORD, "otherbuild", int(pub.clock.now * 1000), 60_000)
    message = pub.request()

    # when a build is asked: refused, for SQS to retry, with nothing recorded
    with pytest.raises(BuildBusyError):
        pub.builder.run(message)
    assert pub.repository.build(LANDLORD, message.build_id) is None

    # then once the lock is released, the retry builds
    pub.repository.release_build(LANDLORD, "otherbuild")
    assert pub.builder.run(message).status is BuildStatus.PUBLISHED


def test_an_unexpected_error_is_recorded_then_raised_and_the_lock_released(tmp_path, base):
    # given artifact storage that fails on upload
    pub = publishing(tmp_path, base)
    pub.edit("public/horaires.md", HOURS)

    def broken_upload(key: str, file: Path) -> None:
        raise ConnectionError("S3 unreachable")

    pub.artifacts.upload_datastore = broken_upload  # type: ignore[method-assign]
    message = pub.request()

    # when the build runs, the error propagates (SQS retries, then the DLQ)
    with pytest.raises(ConnectionError):
        pub.builder.run(message)

    # then its record says FAILED, the pointer did not move and the lock is free
    recorded = pub.repository.build(LANDLORD, message.build_id)
    assert recorded is not None and recorded.status is BuildStatus.FAILED
    assert "ConnectionError" in recorded.error
    assert pub.repository.pointer(LANDLORD) is None
    assert pub.repository.claim_build(LANDLORD, "nextbuild", 0, 1000)
    assert not (tmp_path / "work" / message.build_id).exists()


def test_a_publish_meanwhile_fails_the_build_without_moving_the_pointer(tmp_path, base):
    # given a build during which someone else publishes (the pointer moves after it is read)
    pub = publishing(tmp_path, base)
    pub.edit("public/horaires.md", HOURS)
    other = Pointer(
        landlord=LANDLORD,
        version="0123456789abcdef",
        object_key=datastore_key(LANDLORD, "0123456789abcdef"),
        published_ms=1,
        published_by="other@exemple-hlm.fr",
    )
    upload = pub.artifacts.upload_datastore

    def upload_while_someone_publishes(key: str, file: Path) -> None:
        upload(key, file)
        pub.repository.move_pointer(other, None)

    pub.artifacts.upload_datastore = upload_while_someone_publishes  # type: ignore[method-assign]

    # when it tries to publish
    build = pub.builder.run(pub.request())

    # then it failed with the reason, and the other publish stands
    assert build.status is BuildStatus.FAILED and build.error == PUBLISHED_MEANWHILE
    assert pub.repository.pointer(LANDLORD) == other
    assert pub.repository.changes(LANDLORD) == []
