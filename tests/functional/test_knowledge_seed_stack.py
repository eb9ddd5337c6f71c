"""``make dev`` starts with each landlord's knowledge/ Markdown in the knowledge bucket, recorded
as seeded, and one build requested on the FIFO build queue (pierre-local --seed-knowledge)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pierre_rag.publishing.dynamodb import DynamoPublishing
from pierre_rag.publishing.models import BuildMessage, BuildStatus, ChangeAction
from pierre_rag.publishing.s3 import S3Sources
from tests.helpers import REPO_ROOT
from tests.stack import RunningStack, running_stack

LANDLORD = "pierre-habitat.fr"
BUCKET = "pierre-local-knowledgebucket"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, dynamodb_local: str) -> Iterator[RunningStack]:
    state = tmp_path_factory.mktemp("state")
    with running_stack(state, dynamodb=dynamodb_local, seed_knowledge=True) as running:
        yield running


def _repository_files() -> list[str]:
    folder = REPO_ROOT / "knowledge" / LANDLORD
    return sorted(
        f"{access}/{file.name}"
        for access in ("public", "staff")
        for file in (folder / access).rglob("*.md")
    )


def test_the_landlords_files_are_its_sources_written_by_seed(seeded: RunningStack) -> None:
    # When the seeded stack's knowledge bucket is read
    sources = S3Sources(seeded.client("s3"), BUCKET).list(LANDLORD)

    # then it holds the landlord's public and staff files of the repository, by "seed"
    assert [f.path for f in sources] == _repository_files()
    assert {f.modified_by for f in sources} == {"seed"}
    path = Path(REPO_ROOT / "knowledge" / LANDLORD / sources[0].path)
    assert S3Sources(seeded.client("s3"), BUCKET).read(LANDLORD, sources[0].path) == (
        path.read_bytes()
    )


def test_the_seed_is_recorded_and_one_build_is_queued(seeded: RunningStack) -> None:
    # When the knowledge table and the build queue are read
    repository = DynamoPublishing(seeded.client("dynamodb"), seeded.table("KnowledgeTable"))
    changes = repository.changes(LANDLORD, limit=100)
    sqs = seeded.client("sqs")
    url = sqs.get_queue_url(QueueName="pierre-local-KnowledgeBuildQueue.fifo")["QueueUrl"]
    received = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["MessageGroupId"]
    )

    # then each file has its SEED change, one build is queued, and its request is on the queue
    seeded_paths = sorted(c.path for c in changes if c.action is ChangeAction.SEED)
    assert seeded_paths == _repository_files()
    (build,) = repository.builds(LANDLORD)
    assert (build.status, build.requested_by) == (BuildStatus.QUEUED, "seed")
    (message,) = received["Messages"]
    assert BuildMessage.model_validate_json(message["Body"]) == BuildMessage(
        landlord=LANDLORD, build_id=build.id, actor="seed"
    )
    assert message["Attributes"]["MessageGroupId"] == LANDLORD
