"""The admin function's composition root: its services, from the layer's factories.

``services`` is the function's one global, built on the first request that needs it (the
admin is rarely called: its cold start stays small) and kept for the container's life.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from admin_app.services import BuildAction, Services

from pierre_rag import wiring
from pierre_rag.settings import Settings, read_secret
from pierre_rag.sms.failed import FailedSms, delete_failed, peek_failed, requeue_failed
from pierre_rag.wiring import Lazy, ReadSecret

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_s3.client import S3Client
    from types_boto3_sqs.client import SQSClient

    from pierre_rag.knowledge.embeddings import Embedder
    from pierre_rag.publishing.serving import ServingStores


def bootstrap_reader(read_secret: ReadSecret) -> Callable[[str], str | None]:
    """landlord → its first administrator's bootstrap secret, None when it has none."""
    from botocore.exceptions import ClientError

    from pierre_rag.auth.bootstrap import bootstrap_secret_name

    def bootstrap_password(landlord: str) -> str | None:
        try:
            return read_secret(bootstrap_secret_name(landlord))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ParameterNotFound":
                return None  # this landlord cannot be bootstrapped
            raise

    return bootstrap_password


def phone_hasher(read_secret: ReadSecret) -> Callable[[str], str]:
    """number → its keyed hash, as the SMS functions store it (the key read on first use:
    most admin requests never need it)."""
    from pierre_rag.phones import pseudonymise_phone

    key = Lazy(lambda: read_secret("phone-hash-key").encode())
    return lambda number: pseudonymise_phone(number, key())


def with_publishing(
    services: Services,
    settings: Settings,
    dynamodb: DynamoDBClient,
    sqs: SQSClient,
    s3: S3Client | None,
    embedder: Callable[[], Embedder],
) -> Services:
    """``services`` with the knowledge authoring stores when the bucket, table and queue are
    deployed; unchanged otherwise (the knowledge pages then say publication is not deployed).

    "Publier quand même" and "Revenir à cette version" are the knowledge builder's
    ``confirm`` / ``rollback``: they move the pointer and prune old datastores, never build.
    """
    if s3 is None or not settings.publishing_deployed:
        return services
    from pierre_rag.publishing.build import LandlordBuilder, PublishError

    repository = services.publishing or wiring.publishing_repository(settings, dynamodb)
    sources, artifacts = wiring.source_store(settings, s3), wiring.artifact_store(settings, s3)

    def builder() -> LandlordBuilder:
        return LandlordBuilder(
            sources=sources,
            artifacts=artifacts,
            repository=repository,
            base_datastore=settings.datastore_path,
            embedder=embedder(),
            work_dir=Path(tempfile.gettempdir()) / "knowledge-admin",
        )

    def action(name: str) -> BuildAction:
        """The builder's ``confirm`` or ``rollback``: None when done, else its refusal."""

        def run(landlord: str, build_id: str, actor: str) -> str | None:
            try:
                getattr(builder(), name)(landlord, build_id, actor)
            except PublishError as refused:
                return str(refused)
            return None

        return run

    return replace(
        services,
        sources=sources,
        publishing=repository,
        build_requests=wiring.build_requests(settings, sqs),
        confirm_build=action("confirm"),
        rollback_build=action("rollback"),
    )


def build_services(
    settings: Settings,
    read_secret: ReadSecret,
    dynamodb: DynamoDBClient,
    sqs: SQSClient,
    publishing: ServingStores | None = None,
    s3: S3Client | None = None,
) -> Services:
    """The stores, the landlords (their settings edited here served over their files when
    ``publishing`` is deployed), the secrets, and the knowledge (each landlord's live
    datastore when ``publishing`` names one) and failed SMS opened only when a page asks
    (most admin requests need neither)."""
    dlq_url, queue_url = settings.sms_dlq_url, settings.sms_queue_url
    sms_state = wiring.sms_state_store(settings, dynamodb)

    def failed_sms(landlord: str) -> list[FailedSms]:
        return peek_failed(sqs, dlq_url, landlord, sms_state) if dlq_url else []

    def requeue_failed_sms(landlord: str, message_id: str) -> bool:
        if not dlq_url or not queue_url:
            return False
        return requeue_failed(sqs, dlq_url, queue_url, landlord, message_id)

    def delete_failed_sms(landlord: str, message_id: str) -> bool:
        return delete_failed(sqs, dlq_url, landlord, message_id) if dlq_url else False

    knowledge = Lazy(lambda: wiring.landlord_knowledge(wiring.knowledge(settings), publishing))
    knowledge_table = publishing.repository if publishing else None
    services = Services(
        users=wiring.user_store(settings, dynamodb),
        conversations=wiring.conversation_store(settings, dynamodb),
        validated_answers=wiring.validated_answer_store(settings, dynamodb),
        handled=wiring.handled_mark_store(settings, dynamodb),
        throttle=wiring.login_throttle(settings, dynamodb),
        codec=wiring.session_codec(read_secret),
        landlords=wiring.with_edited_settings(
            wiring.landlords(settings), knowledge_table, check_every_s=settings.knowledge_check_s
        ),
        publishing=knowledge_table,
        bootstrap_password=bootstrap_reader(read_secret),
        browser=lambda landlord: knowledge().browser(landlord),
        knowledge=lambda landlord: knowledge().for_landlord(landlord),
        failed_sms=failed_sms,
        requeue_failed_sms=requeue_failed_sms,
        delete_failed_sms=delete_failed_sms,
        client_ip=wiring.client_ip_rule(read_secret),
        usd_to_eur=settings.usd_to_eur,
        data_request_log=wiring.data_request_log(settings, dynamodb),
        phone_hash=phone_hasher(read_secret),
    )
    return with_publishing(services, settings, dynamodb, sqs, s3, lambda: knowledge().base.embedder)


def from_environment(secrets: ReadSecret = read_secret) -> Services:
    """As template.yaml deploys it: settings from the environment, secrets from SSM."""
    import boto3

    settings = Settings.from_env()
    dynamodb = boto3.client("dynamodb")
    s3 = Lazy(lambda: boto3.client("s3"))
    publishing = wiring.serving_stores(settings, s3, dynamodb)
    authoring_s3 = s3() if settings.publishing_deployed else None
    return build_services(
        settings, secrets, dynamodb, boto3.client("sqs"), publishing, authoring_s3
    )


services: Lazy[Services] = Lazy(from_environment)
