"""The SMS functions' composition root: the webhook's intake and the worker, from the layer's
factories (the domain modules under ``pierre_rag.sms`` stay free of AWS clients).

``webhook`` and ``worker`` are built on first use and kept for the container's life; each
Lambda function uses one of them. Building the webhook imports neither the pipeline nor numpy,
to keep its cold start small.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pierre_rag import wiring
from pierre_rag.settings import Settings, SmsSettings, read_secret
from pierre_rag.wiring import Lazy, ReadSecret

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_sqs.client import SQSClient

    from pierre_rag.landlords import LandlordRegistry
    from pierre_rag.metrics import OperationsMetrics
    from pierre_rag.publishing.serving import ServingStores
    from pierre_rag.sms.intake import Intake
    from pierre_rag.sms.worker import Runner, SmsWorker

WEBHOOK_SECRET = "sms-webhook-secret"  # noqa: S105 (a parameter name, not a secret)


@dataclass(frozen=True)
class Webhook:
    landlords: LandlordRegistry
    intake: Intake
    idempotency: Any  # Powertools' IdempotencyConfig: register each invocation's context
    # the path secret CM must call, read per request so a rotated one is picked up
    secret: Callable[[], str]


def build_webhook(
    settings: Settings, read_secret: ReadSecret, dynamodb: DynamoDBClient, sqs: SQSClient
) -> Webhook:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from pierre_rag.phones import pseudonymise_phone
    from pierre_rag.sms.inbound import QueuedSms
    from pierre_rag.sms.intake import Intake, make_idempotent
    from pierre_rag.sms.routing import routes_of

    registry = wiring.landlords(settings)
    state = wiring.sms_state_store(settings, dynamodb)
    hash_key = Lazy(lambda: read_secret("phone-hash-key").encode())  # needed by a STOP only

    def enqueue(item: QueuedSms) -> None:
        sqs.send_message(QueueUrl=settings.sms_queue_url, MessageBody=item.model_dump_json())

    def record_opt_out(item: QueuedSms) -> None:
        sender = pseudonymise_phone(item.sender, hash_key())
        state.record_opt_out(item.landlord, sender, item.received_ms)

    intake = Intake(routes_of(registry), enqueue, record_opt_out)
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.idempotency_table,
        key_attr="id",
        expiry_attr="expiration",
        boto3_client=dynamodb,
    )
    return Webhook(
        landlords=registry,
        intake=intake,
        idempotency=make_idempotent(intake, persistence),
        secret=lambda: read_secret(WEBHOOK_SECRET),
    )


def build_worker(
    settings: Settings,
    sms: SmsSettings,
    read_secret: ReadSecret,
    dynamodb: DynamoDBClient,
    run: Runner,
    publishing: ServingStores | None = None,
) -> SmsWorker:
    """``run`` drives the pipeline's coroutines (one event loop per container: LLM clients
    keep connection pools bound to their loop); each landlord is answered from its live
    datastore when ``publishing`` names one (fetched on the landlord's first SMS), with its
    settings edited in the admin served over its file."""
    from pierre_rag.sms.cm_client import CmClient
    from pierre_rag.sms.quota import NumberQuota
    from pierre_rag.sms.worker import SmsWorker

    served, llms = wiring.served_landlords(settings, read_secret)
    registry = wiring.with_edited_settings(
        served,
        publishing.repository if publishing else None,
        check_every_s=settings.knowledge_check_s,
    )
    store = wiring.conversation_store(settings, dynamodb)
    base = wiring.knowledge(settings)
    knowledge = wiring.landlord_knowledge(base, publishing)
    metrics = wiring.operations_metrics(settings, lambda: registry.ids)
    validated = wiring.validated_answers(settings, dynamodb, base)
    pipeline = wiring.pipeline(registry, llms, knowledge, store, metrics, validated)
    cm = CmClient(
        sms.cm_api_url,
        read_secret("cm-product-token"),
        timeout_s=sms.cm_timeout_s,
        attempts=sms.cm_attempts,
        backoff_s=sms.cm_backoff_s,
    )
    return SmsWorker(
        state=wiring.sms_state_store(settings, dynamodb),
        cm=cm,
        answer=pipeline.answer,
        run=run,
        hash_key=read_secret("phone-hash-key").encode(),
        lease_s=sms.delivery_lease_s,
        quota=NumberQuota(
            wiring.rate_limiter(settings, dynamodb),
            lambda landlord: registry.get(landlord).sms.answers_per_hour,
        ),
        fold_accents=lambda landlord: registry.get(landlord).sms.fold_accents,
        metrics=metrics,
    )


def webhook_from_environment(secrets: ReadSecret = read_secret) -> Webhook:
    """As template.yaml deploys it: settings from the environment, secrets from SSM."""
    import boto3

    return build_webhook(
        Settings.from_env(), secrets, boto3.client("dynamodb"), boto3.client("sqs")
    )


def worker_from_environment(secrets: ReadSecret = read_secret) -> SmsWorker:
    """As template.yaml deploys it, with the container's one event loop."""
    import boto3

    loop = asyncio.new_event_loop()
    settings = Settings.from_env()
    dynamodb = boto3.client("dynamodb")
    return build_worker(
        settings,
        SmsSettings.from_env(),
        secrets,
        dynamodb,
        loop.run_until_complete,
        wiring.serving_stores(settings, lambda: boto3.client("s3"), dynamodb),
    )


webhook: Lazy[Webhook] = Lazy(webhook_from_environment)
worker: Lazy[SmsWorker] = Lazy(worker_from_environment)
# the handler's own: it counts a dead-letter move even when the worker could not be built
operations: Lazy[OperationsMetrics] = Lazy(wiring.operations_metrics_from_environment)
