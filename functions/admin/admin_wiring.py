"""The admin function's composition root: its services, from the layer's factories.

``services`` is the function's one global, built on the first request that needs it (the
admin is rarely called: its cold start stays small) and kept for the container's life.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from admin_app.services import Services

from pierre_rag import wiring
from pierre_rag.knowledge.browse import KnowledgeBrowser
from pierre_rag.settings import Settings, read_secret
from pierre_rag.sms.failed import FailedSms, delete_failed, peek_failed, requeue_failed
from pierre_rag.wiring import Lazy, ReadSecret

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_s3.client import S3Client
    from types_boto3_sqs.client import SQSClient


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


def with_publishing(
    services: Services,
    settings: Settings,
    dynamodb: DynamoDBClient,
    sqs: SQSClient,
    s3: S3Client | None,
) -> Services:
    """``services`` with the knowledge authoring stores when the bucket, table and queue are
    deployed; unchanged otherwise (the knowledge pages then say publication is not deployed).

    TODO(#17, lead): ``confirm_build`` / ``rollback_build`` keep their "not deployed" default
    until they call the :class:`~pierre_rag.publishing.build.LandlordBuilder`'s ``confirm`` /
    ``rollback`` (a ``PublishError``'s message returned, None when done). The admin's role in
    template.yaml may not delete ``datastores/*``, which ``confirm``'s pruning does.
    """
    if s3 is None or not settings.publishing_deployed:
        return services
    return replace(
        services,
        sources=wiring.source_store(settings, s3),
        publishing=wiring.publishing_repository(settings, dynamodb),
        build_requests=wiring.build_requests(settings, sqs),
    )


def build_services(
    settings: Settings,
    read_secret: ReadSecret,
    dynamodb: DynamoDBClient,
    sqs: SQSClient,
    s3: S3Client | None = None,
) -> Services:
    """The stores, the landlords, the secrets, and the knowledge base and failed SMS opened
    only when a page asks (most admin requests need neither)."""
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

    services = Services(
        users=wiring.user_store(settings, dynamodb),
        conversations=wiring.conversation_store(settings, dynamodb),
        throttle=wiring.login_throttle(settings, dynamodb),
        codec=wiring.session_codec(read_secret),
        landlords=wiring.landlords(settings),
        bootstrap_password=bootstrap_reader(read_secret),
        browser=Lazy(lambda: KnowledgeBrowser(settings.datastore_path)),
        knowledge=Lazy(lambda: wiring.knowledge(settings)),
        failed_sms=failed_sms,
        requeue_failed_sms=requeue_failed_sms,
        delete_failed_sms=delete_failed_sms,
        client_ip=wiring.client_ip_rule(read_secret),
    )
    return with_publishing(services, settings, dynamodb, sqs, s3)


def from_environment(secrets: ReadSecret = read_secret) -> Services:
    """As template.yaml deploys it: settings from the environment, secrets from SSM."""
    import boto3

    return build_services(
        Settings.from_env(),
        secrets,
        boto3.client("dynamodb"),
        boto3.client("sqs"),
        boto3.client("s3"),
    )


services: Lazy[Services] = Lazy(from_environment)
