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


def test_edited_settings_are_read_from_the_knowledge_table_only_when_it_is_deployed(
    dynamodb: Any,
) -> None:
    # Given settings naming the knowledge table, and settings naming none (not deployed)
    table = LocalResources(read_stack(REPO_ROOT / "template.yaml")).table_name("KnowledgeTable")
    deployed = Settings.from_env({"KNOWLEDGE_TABLE": table})

    # when the functions ask where edited settings are read from
    found = wiring.publishing_if_deployed(deployed, dynamodb)
    missing = wiring.publishing_if_deployed(Settings.from_env({}), dynamodb)

    # then the deployed table answers, and without one the landlord files alone are served
    assert found is not None and found.landlord_settings(LANDLORD) is None
    assert missing is None


def test_the_pointer_and_settings_re_read_interval_comes_from_the_settings(dynamodb: Any) -> None:
    # Given settings naming the knowledge bucket and table, with a 2 s re-read interval
    settings = Settings.from_env(
        {"KNOWLEDGE_BUCKET": "b", "KNOWLEDGE_TABLE": "t", "PIERRE_KNOWLEDGE_CHECK_S": "2"}
    )

    # when the serving stores and the resolver over them are built
    stores = wiring.serving_stores(
        settings, lambda: boto3.client("s3", region_name=REGION), dynamodb
    )

    # then both re-read every 2 s, not the default 30 s
    assert stores is not None and stores.check_every_s == 2.0
    assert Settings.from_env({}).knowledge_check_s == 30.0


def test_the_edited_settings_overlay_takes_the_interval_it_is_given() -> None:
    from pierre_rag.landlords import LandlordRegistry
    from pierre_rag.publishing.memory import MemoryPublishing

    class CountingPublishing(MemoryPublishing):
        reads = 0

        def landlord_settings(self, landlord: str) -> Any:
            CountingPublishing.reads += 1
            return super().landlord_settings(landlord)

    # Given a registry whose edited settings are re-read every 2 s of a clock we move
    now = [0.0]
    registry = wiring.with_edited_settings(
        LandlordRegistry.from_directory(REPO_ROOT / "knowledge"),
        CountingPublishing(),
        clock=lambda: now[0],
        check_every_s=2.0,
    )
    landlord = registry.ids[0]

    # when a landlord is looked up at t = 0, 1 and 2.5 s
    for now[0] in (0.0, 1.0, 2.5):
        registry.get(landlord)

    # then its settings were read at 0 and 2.5 only (the default 30 s would read once)
    assert CountingPublishing.reads == 2
