"""Given a Settings and a secret reader (and an environment that names other tables and no
landlord), when each function's wiring module builds its services, then they use the given
tables, landlords and secrets: what the admin writes the chat reads, one session secret signs
for both, and the SMS functions serve the same landlords (DynamoDB Local behind)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import patch

import boto3
import pytest
from admin_app.services import NOT_DEPLOYED

import admin_wiring
import chat_wiring
import sms_wiring
from pierre_local.resources import LocalResources, create_buckets, create_queues
from pierre_local.template import REGION, read_stack
from pierre_rag import wiring
from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.bootstrap import bootstrap_secret_name
from pierre_rag.client_ip import ClientIpRule
from pierre_rag.landlord_settings import LandlordSettingsEdit
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.publishing.memory import MemoryArtifacts, MemoryPublishing
from pierre_rag.publishing.models import BuildMessage
from pierre_rag.publishing.serving import ServingStores
from pierre_rag.settings import Settings, SmsSettings
from tests.functional.conftest import FIXTURE_KB, LANDLORD, SESSION_SECRET
from tests.helpers import REPO_ROOT

TABLES = {
    "CONVERSATIONS_TABLE": "ConversationsTable",
    "USERS_TABLE": "UsersTable",
    "IDEMPOTENCY_TABLE": "IdempotencyTable",
    "RATE_LIMITS_TABLE": "RateLimitsTable",
}
SECRETS = {
    "session-secret": SESSION_SECRET,
    "origin-secret": "origin-secret-for-the-wiring-test",
    "sms-webhook-secret": "webhook-secret-for-the-wiring-test",
    "phone-hash-key": "k",
    "cm-product-token": "cm-token",
    bootstrap_secret_name(LANDLORD): "bootstrap-secret-for-the-wiring-test",
}


@pytest.fixture
def settings(
    dynamodb: Any, fixture_datastore: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    for variable in TABLES:
        monkeypatch.setenv(variable, "not-the-given-table")
    monkeypatch.setenv("PIERRE_LANDLORDS_DIR", str(tmp_path))  # no landlord
    monkeypatch.setenv("PIERRE_LLM", "off")
    given = {
        variable: LocalResources.physical_name(logical) for variable, logical in TABLES.items()
    }
    return Settings.from_env(
        {
            **given,
            "PIERRE_DATASTORE": str(fixture_datastore),
            "PIERRE_LANDLORDS_DIR": str(FIXTURE_KB),
        }
    )


def test_the_chat_and_the_admin_share_the_given_tables_and_session_secret(
    settings: Settings, dynamodb: Any
) -> None:
    admin = admin_wiring.build_services(
        settings, SECRETS.__getitem__, dynamodb, boto3.client("sqs")
    )
    chat = chat_wiring.build_services(settings, SECRETS.__getitem__, dynamodb)

    admin.users.create(LANDLORD, f"ana@{LANDLORD}", StaffRole.COLLABORATOR, "unused-hash")
    user = chat.users.get(LANDLORD, f"ana@{LANDLORD}")
    assert user is not None
    token, _ = admin.codec.issue(user)

    assert chat.sessions.read(token) is not None
    assert chat.registry.ids == admin.landlords.ids == [LANDLORD]
    assert admin.bootstrap_password(LANDLORD) == SECRETS[bootstrap_secret_name(LANDLORD)]
    assert chat.client_ip == admin.client_ip == ClientIpRule(SECRETS["origin-secret"])
    assert chat.pipeline.registry is chat.registry


def _never_run(answer: Any) -> Any:
    raise AssertionError("building the worker answers nothing")


def test_the_sms_functions_serve_the_given_landlords_with_the_given_secrets(
    settings: Settings, dynamodb: Any
) -> None:
    webhook = sms_wiring.build_webhook(settings, SECRETS.__getitem__, dynamodb, boto3.client("sqs"))
    worker = sms_wiring.build_worker(
        settings, SmsSettings(), SECRETS.__getitem__, dynamodb, _never_run
    )

    assert webhook.landlords.ids == [LANDLORD]
    assert webhook.secret() == SECRETS["sms-webhook-secret"]
    assert worker.hash_key == SECRETS["phone-hash-key"].encode()
    assert worker.quota is not None
    expected = webhook.landlords.get(LANDLORD).sms.answers_per_hour
    assert worker.quota.answers_per_hour(LANDLORD) == expected


def test_without_a_knowledge_bucket_and_table_no_s3_client_is_made_and_the_layer_serves(
    settings: Settings, dynamodb: Any
) -> None:
    def s3() -> Any:
        raise AssertionError("no S3 client without publishing")

    for names in ({}, {"knowledge_bucket": "bucket"}, {"knowledge_table": "table"}):
        assert wiring.serving_stores(settings.model_copy(update=names), s3, dynamodb) is None
    chat = chat_wiring.build_services(settings, SECRETS.__getitem__, dynamodb)

    assert chat.knowledge is not None and not chat.knowledge.deployed
    assert chat.knowledge.for_landlord(LANDLORD) is chat.knowledge.base


def test_the_chat_the_admin_and_the_sms_worker_serve_the_settings_edited_in_publishing(
    settings: Settings, dynamodb: Any
) -> None:
    # given a greeting edited in the knowledge table
    publishing = MemoryPublishing()
    seed = LandlordRegistry.from_directory(FIXTURE_KB).from_file(LANDLORD)
    edit = LandlordSettingsEdit.of(seed).to_stored()
    edit["contexts"]["default"]["greeting"] = "Bienvenue (réglages modifiés)"
    publishing.save_landlord_settings(LANDLORD, edit, 0)
    # when each function's services are built over it
    chat = chat_wiring.build_services(
        settings,
        SECRETS.__getitem__,
        dynamodb,
        chat_wiring.served_landlords(settings, SECRETS.__getitem__, publishing),
    )
    stores = ServingStores(publishing, MemoryArtifacts())
    admin = admin_wiring.build_services(
        settings, SECRETS.__getitem__, dynamodb, boto3.client("sqs"), stores
    )
    worker_registries: list[Any] = []
    with patch.object(wiring, "pipeline", _recording(worker_registries)):
        sms_wiring.build_worker(
            settings, SmsSettings(), SECRETS.__getitem__, dynamodb, _never_run, stores
        )
    # then each serves the edit, and the admin knows where it is stored
    for registry in (chat.registry, chat.pipeline.registry, admin.landlords, *worker_registries):
        assert registry.get(LANDLORD).context("default").greeting == "Bienvenue (réglages modifiés)"
    assert admin.publishing is publishing


def _recording(registries: list[Any]) -> Any:
    """``wiring.pipeline``, recording the registry it is given."""
    build = wiring.pipeline

    def pipeline(registry: Any, *args: Any) -> Any:
        registries.append(registry)
        return build(registry, *args)

    return pipeline


def test_the_admin_authors_knowledge_in_the_deployed_bucket_table_and_queue(
    settings: Settings, dynamodb: Any
) -> None:
    # given the template's knowledge bucket, table and queue, and settings naming them
    resources = LocalResources(read_stack(REPO_ROOT / "template.yaml"))
    s3, sqs = boto3.client("s3", region_name=REGION), boto3.client("sqs", region_name=REGION)
    create_buckets(resources, s3)
    create_queues(resources, sqs, visibility_timeout_s=30)
    deployed = settings.model_copy(
        update={
            "knowledge_bucket": resources.bucket_name("KnowledgeBucket"),
            "knowledge_table": resources.table_name("KnowledgeTable"),
            "knowledge_build_queue_url": resources.queue_urls["KnowledgeBuildQueue"],
        }
    )
    # when the admin's services are built with and without them, and a source is published
    undeployed = admin_wiring.build_services(settings, SECRETS.__getitem__, dynamodb, sqs, None, s3)
    admin = admin_wiring.build_services(deployed, SECRETS.__getitem__, dynamodb, sqs, None, s3)
    authoring = admin.authoring()
    assert authoring is not None
    authoring.publish(LANDLORD, "public/a.md", "# A\n\nTexte.\n", "ana", replace=False)
    # then the source, its change and its build request are where the settings say
    assert undeployed.authoring() is None
    key = f"sources/{LANDLORD}/public/a.md"
    assert s3.get_object(Bucket=deployed.knowledge_bucket, Key=key)["Body"].read() == (
        b"# A\n\nTexte.\n"
    )
    assert [c.path for c in authoring.publishing.changes(LANDLORD)] == ["public/a.md"]
    queue = deployed.knowledge_build_queue_url
    (message,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    [build] = authoring.publishing.builds(LANDLORD)
    assert BuildMessage.model_validate_json(message["Body"]).build_id == build.id
    # and "Publier quand même" / "Revenir à cette version" are the builder's: a queued build
    # is refused with its reason, not with "not deployed"
    for action in (admin.confirm_build, admin.rollback_build):
        refusal = action(LANDLORD, build.id, "ana")
        assert refusal and refusal != NOT_DEPLOYED
    assert undeployed.rollback_build(LANDLORD, build.id, "ana") == NOT_DEPLOYED
