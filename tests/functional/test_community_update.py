"""Given landlords published over an older community copy, when CloudFormation sends the
knowledge-build function the deploy's ``CommunityKnowledgeUpdate`` request (a recorded event),
then a build of each stale landlord is queued and CloudFormation gets its answer, always a
``SUCCESS`` (on a pre-signed URL that refuses a content type, as S3 does).

Through the function's own wiring: DynamoDB Local for the knowledge table, moto for the
bucket and the FIFO build queue, the fixture knowledge as the layer's datastore."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import community_update
import knowledge_build_handler
from pierre_local.resources import LocalResources, create_buckets, create_queues
from pierre_local.template import REGION, read_stack
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.publishing.community import COMMUNITY_UPDATE_ACTOR
from pierre_rag.publishing.dynamodb import DynamoPublishing
from pierre_rag.publishing.models import BuildMessage, BuildStatus, Pointer
from tests.fakes.presigned_put import FakePresignedPut
from tests.functional.conftest import LANDLORD
from tests.helpers import REPO_ROOT, load_event

VERSION = "0123456789abcdef"


@pytest.fixture
def presigned() -> Iterator[FakePresignedPut]:
    with FakePresignedPut() as server:
        yield server


@pytest.fixture
def deployed(runtime: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The environment template.yaml gives the knowledge-build function."""
    resources = LocalResources(read_stack(REPO_ROOT / "template.yaml"))
    sqs = boto3.client("sqs", region_name=REGION)
    create_buckets(resources, boto3.client("s3", region_name=REGION))
    create_queues(resources, sqs, visibility_timeout_s=30)
    queue = resources.queue_urls["KnowledgeBuildQueue"]
    monkeypatch.setenv("KNOWLEDGE_TABLE", LocalResources.physical_name("KnowledgeTable"))
    monkeypatch.setenv("KNOWLEDGE_BUCKET", resources.bucket_name("KnowledgeBucket"))
    monkeypatch.setenv("KNOWLEDGE_BUILD_QUEUE_URL", queue)
    repository = DynamoPublishing(runtime, LocalResources.physical_name("KnowledgeTable"))
    return {"sqs": sqs, "queue": queue, "repository": repository}


def _published_over(repository: DynamoPublishing, community_hash: str) -> None:
    pointer = Pointer(
        landlord=LANDLORD,
        version=VERSION,
        object_key=f"datastores/{LANDLORD}/{VERSION}.sqlite",
        published_ms=1_796_000_000_000,
        published_by=f"marie@{LANDLORD}",
        community_hash=community_hash,
    )
    repository.move_pointer(pointer, None)


def _layer_community_hash(path: Path) -> str:
    datastore = Datastore(path)
    try:
        return datastore.meta.source_hash
    finally:
        datastore.close()


def _queued(sqs: Any, queue: str) -> list[BuildMessage]:
    found = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return [BuildMessage.model_validate_json(message["Body"]) for message in found]


def _event(kind: str, url: str) -> dict[str, Any]:
    event = load_event("cfn_community_knowledge_update")
    event["RequestType"], event["ResponseURL"] = kind, url
    return event


def test_a_deploy_queues_a_build_of_the_landlord_over_the_old_community_copy(
    deployed, presigned, lambda_context
):
    _published_over(deployed["repository"], "an-older-community-copy")

    response: Any = knowledge_build_handler.handler(_event("Update", presigned.url), lambda_context)

    [answer] = presigned.answers
    assert answer == response
    assert answer["Status"] == "SUCCESS" and answer["Data"]["requested"] == 1
    assert answer["RequestId"] == "7d2c9e41-3b5a-4f6e-8a1d-2c3b4d5e6f70"
    assert answer["LogicalResourceId"] == "CommunityKnowledgeUpdate"
    [message] = _queued(deployed["sqs"], deployed["queue"])
    assert (message.landlord, message.actor) == (LANDLORD, COMMUNITY_UPDATE_ACTOR)
    build = deployed["repository"].build(LANDLORD, message.build_id)
    assert build is not None and build.status is BuildStatus.QUEUED


def test_a_landlord_over_the_layers_community_copy_is_not_rebuilt(
    deployed, presigned, fixture_datastore, lambda_context
):
    _published_over(deployed["repository"], _layer_community_hash(fixture_datastore))

    knowledge_build_handler.handler(_event("Update", presigned.url), lambda_context)

    [answer] = presigned.answers
    assert answer["Status"] == "SUCCESS" and answer["Data"]["current"] == 1
    assert _queued(deployed["sqs"], deployed["queue"]) == []


def test_deleting_the_stack_answers_without_queuing_anything(deployed, presigned, lambda_context):
    _published_over(deployed["repository"], "an-older-community-copy")

    knowledge_build_handler.handler(_event("Delete", presigned.url), lambda_context)

    [answer] = presigned.answers
    assert (answer["Status"], answer["Data"]) == ("SUCCESS", {})
    assert _queued(deployed["sqs"], deployed["queue"]) == []


def test_a_missing_table_still_answers_success_so_the_deploy_goes_on(
    deployed, presigned, monkeypatch, lambda_context
):
    monkeypatch.setenv("KNOWLEDGE_TABLE", "no-such-table")

    knowledge_build_handler.handler(_event("Update", presigned.url), lambda_context)

    [answer] = presigned.answers
    assert answer["Status"] == "SUCCESS" and answer["Data"]["failed"] == 1


def test_an_unexpected_error_still_answers_success(
    deployed, presigned, monkeypatch, lambda_context
):
    def broken() -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(knowledge_build_handler, "refresh_community_from_environment", broken)

    knowledge_build_handler.handler(_event("Update", presigned.url), lambda_context)

    [answer] = presigned.answers
    assert answer["Status"] == "SUCCESS" and "not checked" in answer["Reason"]


def test_a_request_without_its_ids_is_not_answered(deployed, presigned, lambda_context):
    event = _event("Update", presigned.url)
    del event["StackId"]

    response: Any = knowledge_build_handler.handler(event, lambda_context)

    assert response["Status"] == "FAILED" and presigned.answers == []


def test_only_http_response_urls_are_followed():
    with pytest.raises(ValueError, match="not an HTTP"):
        community_update.put_response("file:///etc/passwd", b"{}")
