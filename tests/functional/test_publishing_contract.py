"""The publishing stores' contract: every case runs against the in-memory stores and the real
ones — S3 (moto, the knowledge bucket as template.yaml declares it), DynamoDB Local and SQS
(moto, the FIFO build queue of template.yaml) — so the fakes other tests use cannot drift
from the stores that serve.

moto stamps S3 versions with the wall clock to the second; here its clock ticks one second per
stamp, so a file's versions are ordered by their times, not by how fast the test runs.

The last tests pin the stored formats: deployed buckets and tables hold data.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from pierre_local.resources import LocalResources, create_buckets, create_queues
from pierre_local.template import REGION, read_stack
from pierre_rag.publishing.dynamodb import DynamoPublishing
from pierre_rag.publishing.memory import (
    MemoryArtifacts,
    MemoryBuildRequests,
    MemoryPublishing,
    MemorySources,
)
from pierre_rag.publishing.models import (
    Build,
    BuildMessage,
    BuildStatus,
    Change,
    ChangeAction,
    ControlQuestion,
    Pointer,
    datastore_key,
)
from pierre_rag.publishing.ports import (
    ArtifactStore,
    BuildRequests,
    PointerMovedError,
    PublishingRepository,
    SourceNotFoundError,
    SourceStore,
)
from pierre_rag.publishing.s3 import S3Artifacts, S3Sources
from pierre_rag.publishing.sqs import SqsBuildRequests
from pierre_rag.storage.items import from_item
from tests.helpers import REPO_ROOT

LANDLORD = "exemple-hlm.fr"
OTHER_LANDLORD = "autre-hlm.fr"
ANA = "ana@exemple-hlm.fr"
ZOE = "zoé@exemple-hlm.fr"  # not ASCII: S3 metadata is
VERSION_A = "0123456789abcdef"
VERSION_B = "fedcba9876543210"
T0 = 1_796_000_000_000  # ms


def _resources() -> LocalResources:
    return LocalResources(read_stack(REPO_ROOT / "template.yaml"))


@pytest.fixture
def knowledge_bucket(aws: None, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, str]:
    """The knowledge bucket as the template declares it (versioned), in moto with a clock
    ticking one second per version."""
    ticks = itertools.count()
    start = datetime(2026, 11, 30, 8, 0, 0)  # moto keeps naive UTC times
    monkeypatch.setattr("moto.s3.models.utcnow", lambda: start + timedelta(seconds=next(ticks)))
    resources = _resources()
    s3 = boto3.client("s3", region_name=REGION)
    create_buckets(resources, s3)
    return s3, resources.bucket_name("KnowledgeBucket")


def _ticking_clock() -> Callable[[], float]:
    ticks = itertools.count()
    return lambda: 1_796_000_000 + next(ticks)


@pytest.fixture(params=["memory", "s3"])
def sources(request: pytest.FixtureRequest) -> SourceStore:
    if request.param == "memory":
        return MemorySources(clock=_ticking_clock())
    s3, bucket = request.getfixturevalue("knowledge_bucket")
    return S3Sources(s3, bucket)


@pytest.fixture(params=["memory", "s3"])
def artifacts(request: pytest.FixtureRequest) -> ArtifactStore:
    if request.param == "memory":
        return MemoryArtifacts()
    s3, bucket = request.getfixturevalue("knowledge_bucket")
    return S3Artifacts(s3, bucket)


@pytest.fixture(params=["memory", "dynamodb"])
def repository(request: pytest.FixtureRequest) -> PublishingRepository:
    if request.param == "memory":
        return MemoryPublishing()
    client = request.getfixturevalue("dynamodb")
    return DynamoPublishing(client, LocalResources.physical_name("KnowledgeTable"))


@dataclass
class Queue:
    requests: BuildRequests
    received: Callable[[], list[tuple[str, str, str]]]  # (landlord, build id, actor), in order


def _sqs_queue() -> Queue:
    resources = _resources()
    sqs = boto3.client("sqs", region_name=REGION)
    create_queues(resources, sqs, visibility_timeout_s=30)
    url = resources.queue_urls["KnowledgeBuildQueue"]

    def received() -> list[tuple[str, str, str]]:
        found = []
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in messages:
                body = BuildMessage.model_validate_json(message["Body"])
                found.append((body.landlord, body.build_id, body.actor))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return found

    return Queue(SqsBuildRequests(sqs, url), received)


@pytest.fixture(params=["memory", "sqs"])
def queue(request: pytest.FixtureRequest) -> Queue:
    if request.param == "memory":
        memory = MemoryBuildRequests()
        return Queue(memory, lambda: list(memory.requests))
    request.getfixturevalue("aws")
    return _sqs_queue()


# ---------------------------------------------------------------------- sources
def test_a_written_file_is_listed_read_and_in_its_history(sources: SourceStore) -> None:
    # Given a new file written by a staff member
    written = sources.write(LANDLORD, "public/horaires.md", b"# Horaires\n", ANA)

    # then it is listed, readable and its history is that one version, all alike
    assert (written.path, written.size, written.modified_by) == ("public/horaires.md", 11, ANA)
    assert not written.deleted and written.modified_ms > 0
    assert sources.list(LANDLORD) == [written]
    assert sources.read(LANDLORD, "public/horaires.md") == b"# Horaires\n"
    assert sources.history(LANDLORD, "public/horaires.md") == [written]


def test_a_replaced_file_keeps_its_previous_version(sources: SourceStore) -> None:
    # Given a file written, then replaced by another staff member
    first = sources.write(LANDLORD, "public/horaires.md", b"v1", ANA)
    second = sources.write(LANDLORD, "public/horaires.md", b"version 2", ZOE)

    # then the current version is the second, and the first is still readable by its id
    assert second.version_id != first.version_id
    assert second.modified_ms >= first.modified_ms
    assert sources.list(LANDLORD) == [second]
    assert sources.read(LANDLORD, "public/horaires.md") == b"version 2"
    assert sources.read(LANDLORD, "public/horaires.md", first.version_id) == b"v1"
    assert sources.history(LANDLORD, "public/horaires.md") == [second, first]
    assert second.modified_by == ZOE


def test_a_deleted_file_is_gone_but_its_versions_stay(sources: SourceStore) -> None:
    # Given a file written, then deleted
    first = sources.write(LANDLORD, "staff/astreinte.md", b"astreinte", ANA)
    deleted = sources.delete(LANDLORD, "staff/astreinte.md", ZOE)

    # then the delete gave the version it removed, the file is no longer listed or readable
    assert deleted == first
    assert sources.list(LANDLORD) == []
    with pytest.raises(SourceNotFoundError):
        sources.read(LANDLORD, "staff/astreinte.md")
    # and its history starts with a delete marker (who deleted is in the change history)
    marker, kept = sources.history(LANDLORD, "staff/astreinte.md")
    assert (marker.deleted, marker.size, marker.modified_by) == (True, 0, "")
    assert kept == first
    assert sources.read(LANDLORD, "staff/astreinte.md", first.version_id) == b"astreinte"
    with pytest.raises(SourceNotFoundError):
        sources.read(LANDLORD, "staff/astreinte.md", marker.version_id)
    # and deleting it again does nothing
    assert sources.delete(LANDLORD, "staff/astreinte.md", ZOE) is None
    assert len(sources.history(LANDLORD, "staff/astreinte.md")) == 2


def test_history_is_newest_first_across_a_delete(sources: SourceStore) -> None:
    # Given a file written twice, deleted, written again
    first = sources.write(LANDLORD, "public/gardien.md", b"1", ANA)
    second = sources.write(LANDLORD, "public/gardien.md", b"2", ANA)
    sources.delete(LANDLORD, "public/gardien.md", ANA)
    fourth = sources.write(LANDLORD, "public/gardien.md", b"4", ZOE)

    # when its history is read
    history = sources.history(LANDLORD, "public/gardien.md")

    # then it lists the four changes, the newest first
    assert [entry.deleted for entry in history] == [False, True, False, False]
    assert [history[0], history[2], history[3]] == [fourth, second, first]
    assert sources.list(LANDLORD) == [fourth]


def test_sources_are_listed_by_path_and_kept_per_landlord(sources: SourceStore) -> None:
    # Given files of two landlords, written out of order
    for path in ("staff/b.md", "public/z.md", "public/a.md"):
        sources.write(LANDLORD, path, path.encode(), ANA)
    sources.write(OTHER_LANDLORD, "public/a.md", b"other", "bob@autre-hlm.fr")

    # then each landlord lists its own, by path
    assert [f.path for f in sources.list(LANDLORD)] == ["public/a.md", "public/z.md", "staff/b.md"]
    assert [f.access.value for f in sources.list(LANDLORD)] == ["public", "public", "staff"]
    assert sources.read(OTHER_LANDLORD, "public/a.md") == b"other"
    assert sources.read(LANDLORD, "public/a.md") == b"public/a.md"
    assert sources.list("vide-hlm.fr") == []


@pytest.mark.parametrize(
    "path", ["horaires.md", "public/Horaires.md", "public/../staff/x.md", "prive/x.md", "public/x"]
)
def test_a_path_outside_the_layout_is_refused(sources: SourceStore, path: str) -> None:
    # When a path that is not public/<slug>.md or staff/<slug>.md is used, it is refused
    with pytest.raises(ValueError, match="source path"):
        sources.write(LANDLORD, path, b"x", ANA)
    for call in (sources.read, sources.history):
        with pytest.raises(ValueError, match="source path"):
            call(LANDLORD, path)
    with pytest.raises(ValueError, match="source path"):
        sources.delete(LANDLORD, path, ANA)

    # and nothing was stored
    assert sources.list(LANDLORD) == []


def test_an_unknown_file_or_version_is_not_found(sources: SourceStore) -> None:
    # Given one file
    sources.write(LANDLORD, "public/a.md", b"a", ANA)

    # then another file, or a version that does not exist, is not found
    with pytest.raises(SourceNotFoundError):
        sources.read(LANDLORD, "public/b.md")
    with pytest.raises(SourceNotFoundError):
        sources.read(LANDLORD, "public/a.md", "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY")
    assert sources.history(LANDLORD, "public/b.md") == []


def test_a_snapshot_writes_the_current_files_for_a_build(
    sources: SourceStore, tmp_path: Path
) -> None:
    # Given a landlord with two files, one replaced, and one deleted file
    sources.write(LANDLORD, "public/a.md", b"old", ANA)
    current = sources.write(LANDLORD, "public/a.md", b"new", ANA)
    staff = sources.write(LANDLORD, "staff/b.md", b"staff", ANA)
    sources.write(LANDLORD, "public/gone.md", b"gone", ANA)
    sources.delete(LANDLORD, "public/gone.md", ANA)

    # when they are snapshot into a folder
    files = sources.snapshot(LANDLORD, tmp_path)

    # then the folder holds the current files in the knowledge layout, as listed
    assert files == [current, staff]
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.md"))
    assert written == [f"{LANDLORD}/public/a.md", f"{LANDLORD}/staff/b.md"]
    assert (tmp_path / LANDLORD / "public" / "a.md").read_bytes() == b"new"


# ---------------------------------------------------------------------- artifacts
def test_a_datastore_is_uploaded_downloaded_and_deleted(
    artifacts: ArtifactStore, tmp_path: Path
) -> None:
    # Given a built datastore uploaded under its version's key
    key = datastore_key(LANDLORD, VERSION_A)
    built = tmp_path / "built.sqlite"
    built.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 64)
    assert not artifacts.has_datastore(key)
    artifacts.upload_datastore(key, built)

    # when it is downloaded over an older copy
    target = tmp_path / "tmp" / "live.sqlite"
    target.parent.mkdir()
    target.write_bytes(b"older")
    artifacts.download_datastore(key, target)

    # then the copy is the datastore, with no partial file left beside it
    assert artifacts.has_datastore(key)
    assert target.read_bytes() == built.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["live.sqlite"]
    # and once deleted it is gone
    artifacts.delete_datastore(key)
    assert not artifacts.has_datastore(key)


def test_a_missing_datastore_is_not_found_and_leaves_no_file(
    artifacts: ArtifactStore, tmp_path: Path
) -> None:
    # When a datastore that was never uploaded is downloaded
    target = tmp_path / "live.sqlite"
    with pytest.raises(SourceNotFoundError):
        artifacts.download_datastore(datastore_key(LANDLORD, VERSION_B), target)

    # then nothing was written
    assert list(tmp_path.iterdir()) == []


def test_the_embedding_cache_is_kept_per_landlord(artifacts: ArtifactStore, tmp_path: Path) -> None:
    # Given no cache yet
    target = tmp_path / "cache.sqlite"
    assert artifacts.download_cache(LANDLORD, target) is False
    assert not target.exists()

    # when a build uploads its cache
    cache = tmp_path / "built-cache.sqlite"
    cache.write_bytes(b"cache of exemple")
    artifacts.upload_cache(LANDLORD, cache)

    # then the next build gets it back, and another landlord has none
    assert artifacts.download_cache(LANDLORD, target) is True
    assert target.read_bytes() == b"cache of exemple"
    assert artifacts.download_cache(OTHER_LANDLORD, tmp_path / "other.sqlite") is False


# ---------------------------------------------------------------------- pointer
def _pointer(version: str, landlord: str = LANDLORD) -> Pointer:
    return Pointer(
        landlord=landlord,
        version=version,
        object_key=datastore_key(landlord, version),
        published_ms=T0,
        published_by=ANA,
        community_hash="c0ffee",
    )


def test_the_pointer_moves_only_from_the_version_read(repository: PublishingRepository) -> None:
    # Given a landlord with no pointer yet, pointed at a first version
    assert repository.pointer(LANDLORD) is None
    repository.move_pointer(_pointer(VERSION_A), expected_version=None)

    # when two publishers move it, one from a stale read
    with pytest.raises(PointerMovedError):
        repository.move_pointer(_pointer(VERSION_B), expected_version=None)
    with pytest.raises(PointerMovedError):
        repository.move_pointer(_pointer(VERSION_B), expected_version=VERSION_B)
    repository.move_pointer(_pointer(VERSION_B), expected_version=VERSION_A)

    # then only the move from the live version took effect; other landlords have none
    assert repository.pointer(LANDLORD) == _pointer(VERSION_B)
    assert repository.pointer(OTHER_LANDLORD) is None


# ---------------------------------------------------------------------- history
def _change(at_ms: int, action: ChangeAction, landlord: str = LANDLORD, **extra: Any) -> Change:
    return Change(landlord=landlord, at_ms=at_ms, actor=ANA, action=action, **extra)


def test_changes_are_listed_newest_first_per_landlord(repository: PublishingRepository) -> None:
    # Given changes of a landlord recorded out of order, and one of another landlord
    upload = _change(T0, ChangeAction.UPLOAD, path="public/a.md", version_id="v1")
    replace = _change(
        T0 + 2_000, ChangeAction.REPLACE, path="public/a.md", version_id="v2",
        previous_version_id="v1", detail="heures d'ouverture",
    )  # fmt: skip
    publish = _change(T0 + 1_000, ChangeAction.PUBLISH, version_id=VERSION_A)
    for change in (upload, replace, publish):
        repository.record_change(change)
    repository.record_change(_change(T0 + 5_000, ChangeAction.SEED, landlord=OTHER_LANDLORD))

    # then the landlord's history is newest first, and a limit keeps the newest
    assert repository.changes(LANDLORD) == [replace, publish, upload]
    assert repository.changes(LANDLORD, limit=2) == [replace, publish]
    assert repository.changes(LANDLORD, limit=0) == []
    assert [c.action for c in repository.changes(OTHER_LANDLORD)] == [ChangeAction.SEED]


# ---------------------------------------------------------------------- control questions
def _control(control_id: str, created_ms: int, question: str = "Quels horaires ?") -> Any:
    return ControlQuestion(
        landlord=LANDLORD,
        id=control_id,
        question=question,
        expected_file=f"{LANDLORD}/public/horaires.md",
        created_ms=created_ms,
        created_by=ANA,
    )


def test_control_questions_are_kept_oldest_first(repository: PublishingRepository) -> None:
    # Given three control questions, one of them edited
    for control in (
        _control("bbbbbbbb", T0 + 1),
        _control("aaaaaaaa", T0 + 1),
        _control("cccccccc", T0),
    ):
        repository.put_control(control)  # fmt: skip
    repository.put_control(_control("aaaaaaaa", T0 + 1, "Quels horaires d'agence ?"))

    # when one is deleted, twice
    assert repository.delete_control(LANDLORD, "cccccccc") is True
    assert repository.delete_control(LANDLORD, "cccccccc") is False

    # then the others are listed oldest first (then by id), with the edit
    assert repository.controls(LANDLORD) == [
        _control("aaaaaaaa", T0 + 1, "Quels horaires d'agence ?"),
        _control("bbbbbbbb", T0 + 1),
    ]
    assert repository.controls(OTHER_LANDLORD) == []


# ---------------------------------------------------------------------- builds
def _build(at_ms: int, status: BuildStatus = BuildStatus.QUEUED, **extra: Any) -> Build:
    return Build(
        landlord=LANDLORD,
        id=f"{at_ms:013d}0000abcd",
        status=status,
        requested_ms=at_ms,
        requested_by=ANA,
        **extra,
    )


def test_builds_are_saved_replaced_and_listed_newest_first(
    repository: PublishingRepository,
) -> None:
    # Given three build requests, the first one then published
    for offset in (0, 2_000, 1_000):
        repository.save_build(_build(T0 + offset))
    published = _build(
        T0, BuildStatus.PUBLISHED, version=VERSION_A, finished_ms=T0 + 900, chunks=12,
        embedded=3, seconds=0.75, object_key=datastore_key(LANDLORD, VERSION_A),
    )  # fmt: skip
    repository.save_build(published)

    # then a build is read by id, and listed newest first with the last record of each
    assert repository.build(LANDLORD, published.id) == published
    assert repository.build(LANDLORD, "unknown0") is None
    assert repository.builds(LANDLORD) == [_build(T0 + 2_000), _build(T0 + 1_000), published]
    assert repository.builds(LANDLORD, limit=1) == [_build(T0 + 2_000)]
    assert repository.builds(OTHER_LANDLORD) == []


def test_one_build_holds_the_lock_until_it_releases_it_or_its_lease_ends(
    repository: PublishingRepository,
) -> None:
    # Given a build holding the landlord's lock for 60 s
    assert repository.claim_build(LANDLORD, "build0001", now_ms=T0, lease_ms=60_000)

    # then another build waits while the lease runs, the holder may claim again
    assert not repository.claim_build(LANDLORD, "build0002", now_ms=T0 + 59_999, lease_ms=60_000)
    assert repository.claim_build(LANDLORD, "build0001", now_ms=T0 + 10_000, lease_ms=60_000)
    assert repository.claim_build(OTHER_LANDLORD, "build0009", now_ms=T0, lease_ms=60_000)
    # and a release by another build changes nothing
    repository.release_build(LANDLORD, "build0002")
    assert not repository.claim_build(LANDLORD, "build0002", now_ms=T0 + 69_999, lease_ms=60_000)
    # and once the lease (renewed at +10 s) has ended, another build takes it
    assert repository.claim_build(LANDLORD, "build0002", now_ms=T0 + 70_000, lease_ms=60_000)
    # and when its holder releases it, the next build takes it at once
    repository.release_build(LANDLORD, "build0002")
    assert repository.claim_build(LANDLORD, "build0003", now_ms=T0 + 70_001, lease_ms=60_000)


# ---------------------------------------------------------------------- settings
def test_settings_are_saved_only_from_the_revision_read(repository: PublishingRepository) -> None:
    # Given no edited settings yet
    assert repository.landlord_settings(LANDLORD) is None
    settings = {
        "name": "Exemple Habitat",
        "branding": {"primary_color": "#123456"},
        "widget": {"allowed_origins": ["https://www.exemple-hlm.fr"]},
        "contexts": {"default": {"greeting": "Bonjour, je suis l'assistant d'Exemple ✓"}},
        "retention_days": 90,
        "sms": {"enabled": False},
    }

    # when they are saved, then saved again from a stale revision
    assert repository.save_landlord_settings(LANDLORD, settings, expected_revision=0) == 1
    with pytest.raises(PointerMovedError):
        repository.save_landlord_settings(LANDLORD, {"name": "x"}, expected_revision=0)
    changed = {**settings, "name": "Exemple Habitat SA"}
    assert repository.save_landlord_settings(LANDLORD, changed, expected_revision=1) == 2

    # then the last save from the right revision is kept, values intact
    assert repository.landlord_settings(LANDLORD) == (changed, 2)
    assert repository.landlord_settings(OTHER_LANDLORD) is None


# ---------------------------------------------------------------------- build requests
def test_build_requests_arrive_in_order_and_a_repeated_one_once(queue: Queue) -> None:
    # Given two requests for a landlord, the first sent twice, and one for another landlord
    queue.requests.request(LANDLORD, "1796000000000aaaa0001", ANA)
    queue.requests.request(LANDLORD, "1796000000000aaaa0001", ANA)
    queue.requests.request(LANDLORD, "1796000001000aaaa0002", "seed")
    queue.requests.request(OTHER_LANDLORD, "1796000002000aaaa0003", ZOE)

    # when the build function receives them
    received = queue.received()

    # then each landlord's requests come once each, in order
    assert [r for r in received if r[0] == LANDLORD] == [
        (LANDLORD, "1796000000000aaaa0001", ANA),
        (LANDLORD, "1796000001000aaaa0002", "seed"),
    ]
    assert [r for r in received if r[0] == OTHER_LANDLORD] == [
        (OTHER_LANDLORD, "1796000002000aaaa0003", ZOE)
    ]


# ---------------------------------------------------------------------- stored formats
def test_source_objects_keep_their_stored_format(knowledge_bucket: tuple[Any, str]) -> None:
    # Given a file written and a datastore uploaded in the bucket
    s3, bucket = knowledge_bucket
    written = S3Sources(s3, bucket).write(LANDLORD, "public/horaires.md", b"# H", ZOE)

    # when its object is read raw
    head = s3.head_object(Bucket=bucket, Key=f"sources/{LANDLORD}/public/horaires.md")

    # then its key, version, encryption and actor metadata are those deployed buckets hold
    assert head["VersionId"] == written.version_id
    assert head["ServerSideEncryption"] == "AES256"
    assert head["Metadata"] == {"actor": "zo%C3%A9@exemple-hlm.fr"}
    assert head["ContentType"] == "text/markdown; charset=utf-8"


def test_artifact_objects_keep_their_stored_format(
    knowledge_bucket: tuple[Any, str], tmp_path: Path
) -> None:
    # Given a datastore and an embedding cache uploaded
    s3, bucket = knowledge_bucket
    artifacts = S3Artifacts(s3, bucket)
    file = tmp_path / "x.sqlite"
    file.write_bytes(b"x")
    artifacts.upload_datastore(datastore_key(LANDLORD, VERSION_A), file)
    artifacts.upload_cache(LANDLORD, file)

    # then their keys are those deployed buckets hold, encrypted
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [
        f"datastores/{LANDLORD}/{VERSION_A}.sqlite",
        f"embedding-cache/{LANDLORD}.sqlite",
    ]
    for key in keys:
        assert s3.head_object(Bucket=bucket, Key=key)["ServerSideEncryption"] == "AES256"


def test_s3_lists_every_page_of_a_landlords_sources(
    knowledge_bucket: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given S3 answering two keys per page, and five files
    monkeypatch.setenv("MOTO_S3_DEFAULT_MAX_KEYS", "2")
    sources = S3Sources(*knowledge_bucket)
    for index in range(5):
        sources.write(LANDLORD, f"public/f{index}.md", b"x", ANA)
        sources.write(LANDLORD, "public/f0.md", b"again", ANA)  # versions page too

    # then every file is listed and every version is in the history
    assert [f.path for f in sources.list(LANDLORD)] == [f"public/f{i}.md" for i in range(5)]
    assert len(sources.history(LANDLORD, "public/f0.md")) == 6


def test_s3_refuses_a_key_outside_its_layout(knowledge_bucket: tuple[Any, str]) -> None:
    # A landlord id that could reach another prefix, or an artifact key out of the layout
    s3, bucket = knowledge_bucket
    with pytest.raises(ValueError, match="landlord"):
        S3Sources(s3, bucket).list("../autre-hlm.fr")
    with pytest.raises(ValueError, match="datastore key"):
        S3Artifacts(s3, bucket).has_datastore(f"sources/{LANDLORD}/public/a.md")
    with pytest.raises(ValueError, match="landlord"):
        S3Artifacts(s3, bucket).download_cache("a/b", Path("unused"))


def _items(client: Any) -> Iterator[dict[str, Any]]:
    table = LocalResources.physical_name("KnowledgeTable")
    for item in client.scan(TableName=table)["Items"]:
        yield from_item(item)


def test_knowledge_table_keys_keep_their_stored_format(dynamodb: Any) -> None:
    # Given one record of each kind in DynamoDB
    repository = DynamoPublishing(dynamodb, LocalResources.physical_name("KnowledgeTable"))
    repository.move_pointer(_pointer(VERSION_A), expected_version=None)
    repository.record_change(_change(T0, ChangeAction.UPLOAD, path="public/a.md"))
    repository.put_control(_control("aaaaaaaa", T0))
    repository.save_build(_build(T0))
    repository.claim_build(LANDLORD, "build0001", now_ms=T0, lease_ms=60_000)
    repository.save_landlord_settings(LANDLORD, {"name": "Exemple"}, expected_revision=0)

    # when the raw items are read
    items = {item["sk"].split("#")[0]: item for item in _items(dynamodb)}

    # then their keys and attributes are those deployed tables hold
    assert {item["pk"] for item in items.values()} == {f"LANDLORD#{LANDLORD}"}
    assert sorted(items) == ["BUILD", "CHANGE", "CONTROL", "LOCK", "POINTER", "SETTINGS"]
    change_sk = items["CHANGE"]["sk"]
    assert change_sk.startswith(f"CHANGE#{T0:013d}#") and len(change_sk) == 7 + 13 + 1 + 8
    assert items["CONTROL"]["sk"] == "CONTROL#aaaaaaaa"
    assert items["BUILD"]["sk"] == f"BUILD#{T0:013d}0000abcd"
    assert items["POINTER"]["live_version"] == VERSION_A
    assert Pointer.model_validate_json(items["POINTER"]["record"]) == _pointer(VERSION_A)
    assert (items["LOCK"]["build_id"], items["LOCK"]["lease_until"]) == ("build0001", T0 + 60_000)
    assert (json.loads(items["SETTINGS"]["settings"]), items["SETTINGS"]["revision"]) == (
        {"name": "Exemple"},
        1,
    )
