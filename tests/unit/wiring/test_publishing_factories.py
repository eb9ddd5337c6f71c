"""The publishing stores built by pierre_rag.wiring use the resources the settings name."""

from __future__ import annotations

from typing import Any

import boto3

from pierre_local.resources import LocalResources, create_buckets, create_queues
from pierre_local.template import REGION, read_stack
from pierre_rag import wiring
from pierre_rag.publishing.models import BuildMessage, Change, ChangeAction
from pierre_rag.settings import Settings
from tests.helpers import REPO_ROOT

LANDLORD = "exemple-hlm.fr"


def test_the_factories_write_where_the_settings_say(dynamodb: Any) -> None:
    # Given the template's bucket, table and queue (moto), and the settings naming them
    resources = LocalResources(read_stack(REPO_ROOT / "template.yaml"))
    s3, sqs = boto3.client("s3", region_name=REGION), boto3.client("sqs", region_name=REGION)
    create_buckets(resources, s3)
    create_queues(resources, sqs, visibility_timeout_s=30)
    settings = Settings.from_env(
        {
            "KNOWLEDGE_BUCKET": resources.bucket_name("KnowledgeBucket"),
            "KNOWLEDGE_TABLE": resources.table_name("KnowledgeTable"),
            "KNOWLEDGE_BUILD_QUEUE_URL": resources.queue_urls["KnowledgeBuildQueue"],
        }
    )

    # when each factory's store is used once
    wiring.source_store(settings, s3).write(LANDLORD, "public/a.md", b"a", "seed")
    wiring.publishing_repository(settings, dynamodb).record_change(
        Change(landlord=LANDLORD, at_ms=1, actor="seed", action=ChangeAction.SEED)
    )
    wiring.build_requests(settings, sqs).request(LANDLORD, "1796000000000abcd0001", "seed")

    # then what they wrote is in those resources, and the artifact store reads that bucket
    bucket = settings.knowledge_bucket
    assert (
        s3.get_object(Bucket=bucket, Key=f"sources/{LANDLORD}/public/a.md")["Body"].read() == b"a"
    )
    assert dynamodb.scan(TableName=settings.knowledge_table)["Count"] == 1
    (message,) = sqs.receive_message(QueueUrl=settings.knowledge_build_queue_url)["Messages"]
    assert BuildMessage.model_validate_json(message["Body"]).build_id == "1796000000000abcd0001"
    assert not wiring.artifact_store(settings, s3).has_datastore(
        f"datastores/{LANDLORD}/0123456789abcdef.sqlite"
    )
