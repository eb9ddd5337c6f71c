"""AWS wiring of the two SMS functions, built once per Lambda container (first use).

Kept apart from the domain modules so those stay testable with plain fakes.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from pierre_rag.settings import Settings, SmsSettings, read_secret
from pierre_rag.sms.inbound import QueuedSms

if TYPE_CHECKING:
    from pierre_rag.sms.intake import Intake
    from pierre_rag.sms.worker import SmsWorker


@functools.cache
def _client(service: Literal["dynamodb", "sqs"]) -> Any:
    import boto3

    return boto3.client(service)


def secret_matches(candidate: str) -> bool:
    """Constant-time comparison with the ``sms-webhook-secret`` (CM signs nothing)."""
    expected = read_secret("sms-webhook-secret").encode()
    return hmac.compare_digest(candidate.encode(), expected)


@functools.cache
def phone_hash_key() -> bytes:
    return read_secret("phone-hash-key").encode()


@functools.cache
def webhook_intake() -> tuple[Intake, Any]:
    """The intake and its idempotency config (register the Lambda context on it)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from pierre_rag.phones import pseudonymise_phone
    from pierre_rag.sms.intake import Intake, make_idempotent
    from pierre_rag.sms.routing import sms_routes
    from pierre_rag.sms.store import SmsStateStore

    settings = Settings.from_env()
    dynamodb, sqs = _client("dynamodb"), _client("sqs")
    state = SmsStateStore(dynamodb, settings.idempotency_table, settings.conversations_table)

    def enqueue(item: QueuedSms) -> None:
        sqs.send_message(QueueUrl=settings.sms_queue_url, MessageBody=item.model_dump_json())

    def record_opt_out(item: QueuedSms) -> None:
        state.record_opt_out(
            item.tenant, pseudonymise_phone(item.sender, phone_hash_key()), item.received_ms
        )

    intake = Intake(sms_routes(), enqueue, record_opt_out)
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.idempotency_table,
        key_attr="id",
        expiry_attr="expiration",
        boto3_client=dynamodb,
    )
    config = make_idempotent(intake, persistence)
    return intake, config


@functools.cache
def _event_loop() -> asyncio.AbstractEventLoop:
    # One loop per container: LLM clients keep connection pools bound to their loop.
    return asyncio.new_event_loop()


@functools.cache
def sms_worker() -> SmsWorker:
    from pierre_rag.conversations import ConversationStore
    from pierre_rag.knowledge.search import knowledge_base
    from pierre_rag.llm.landlords import served_landlords
    from pierre_rag.pipeline import Pipeline
    from pierre_rag.ratelimit import RateLimiter
    from pierre_rag.sms.cm_client import CmClient
    from pierre_rag.sms.quota import NumberQuota
    from pierre_rag.sms.store import SmsStateStore
    from pierre_rag.sms.worker import SmsWorker
    from pierre_rag.tenants import tenant_registry

    settings, sms = Settings.from_env(), SmsSettings.from_env()
    dynamodb = _client("dynamodb")

    registry, llms = served_landlords(tenant_registry(), read_secret)
    pipeline = Pipeline(
        registry,
        knowledge_base(),
        ConversationStore(dynamodb, settings.conversations_table),
        llms,
    )
    cm = CmClient(
        sms.cm_api_url,
        read_secret("cm-product-token"),
        timeout_s=sms.cm_timeout_s,
        attempts=sms.cm_attempts,
        backoff_s=sms.cm_backoff_s,
    )
    return SmsWorker(
        state=SmsStateStore(dynamodb, settings.idempotency_table, settings.conversations_table),
        cm=cm,
        answer=pipeline.answer,
        run=_event_loop().run_until_complete,
        hash_key=phone_hash_key(),
        lease_s=sms.delivery_lease_s,
        quota=NumberQuota(
            RateLimiter(dynamodb, settings.rate_limits_table),
            lambda landlord: registry.get(landlord).sms.answers_per_hour,
        ),
    )


def parse_queued(body: str) -> QueuedSms:
    """The queue message, or a ValueError naming fields only (values may be numbers)."""
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("SMS queue message must be a JSON object")
    try:
        return QueuedSms.model_validate(data)
    except ValidationError as error:
        fields = ", ".join(
            ".".join(str(p) for p in item["loc"]) for item in error.errors(include_input=False)
        )
        raise ValueError(f"invalid SMS queue message: {fields}") from None
