"""What the routes talk to, built once per container (Lambda init) and swappable in tests."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pierre_rag.auth.lockout import LoginThrottle
from pierre_rag.auth.sessions import SessionCodec
from pierre_rag.auth.users import UserStore
from pierre_rag.client_ip import ClientIpRule, load_client_ip_rule
from pierre_rag.conversations import ConversationStore
from pierre_rag.knowledge.browse import KnowledgeBrowser
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.sms.failed import FailedSms, delete_failed, peek_failed, requeue_failed
from pierre_rag.sms.store import SmsStateStore
from pierre_rag.storage.ports import ConversationRepository, UserRepository
from pierre_rag.tenants import TenantRegistry


@dataclass(frozen=True)
class Services:
    users: UserRepository
    conversations: ConversationRepository
    throttle: LoginThrottle
    codec: SessionCodec
    tenants: TenantRegistry
    # landlord → its first administrator's bootstrap secret, None when it has none
    bootstrap_password: Callable[[str], str | None]
    browser: Callable[[], KnowledgeBrowser]
    knowledge: Callable[[], KnowledgeBase]
    clock: Callable[[], float] = field(default=time.time)
    # tenant → its SMS in the dead-letter queue (none when SMS is not deployed)
    failed_sms: Callable[[str], list[FailedSms]] = field(default=lambda tenant: [])
    # who the caller is for lock-out counters (trusts CloudFront only with the origin secret)
    client_ip: ClientIpRule = field(default_factory=ClientIpRule)
    # (landlord, message id) → True when that failed SMS was re-queued / deleted
    requeue_failed_sms: Callable[[str, str], bool] = field(default=lambda landlord, m: False)
    delete_failed_sms: Callable[[str, str], bool] = field(default=lambda landlord, m: False)


@functools.cache
def default_services() -> Services:
    """From the environment: tables from template.yaml, secrets from SSM, datastore in the layer."""
    import boto3
    from botocore.exceptions import ClientError

    from pierre_rag.auth.bootstrap import bootstrap_secret_name
    from pierre_rag.knowledge.search import knowledge_base
    from pierre_rag.settings import Settings, read_secret
    from pierre_rag.tenants import tenant_registry

    settings = Settings.from_env()
    dynamodb = boto3.client("dynamodb")

    def bootstrap_password(landlord: str) -> str | None:
        try:
            return read_secret(bootstrap_secret_name(landlord))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ParameterNotFound":
                return None  # this landlord cannot be bootstrapped
            raise

    @functools.cache
    def browser() -> KnowledgeBrowser:
        return KnowledgeBrowser(settings.datastore_path)

    dlq_url = settings.sms_dlq_url
    sms_state = SmsStateStore(dynamodb, settings.idempotency_table, settings.conversations_table)

    def failed_sms(tenant: str) -> list[FailedSms]:
        if not dlq_url:
            return []
        return peek_failed(boto3.client("sqs"), dlq_url, tenant, sms_state)

    def requeue_failed_sms(landlord: str, message_id: str) -> bool:
        if not dlq_url or not settings.sms_queue_url:
            return False
        return requeue_failed(
            boto3.client("sqs"), dlq_url, settings.sms_queue_url, landlord, message_id
        )

    def delete_failed_sms(landlord: str, message_id: str) -> bool:
        if not dlq_url:
            return False
        return delete_failed(boto3.client("sqs"), dlq_url, landlord, message_id)

    return Services(
        failed_sms=failed_sms,
        requeue_failed_sms=requeue_failed_sms,
        delete_failed_sms=delete_failed_sms,
        users=UserStore(dynamodb, settings.users_table),
        conversations=ConversationStore(dynamodb, settings.conversations_table),
        throttle=LoginThrottle(dynamodb, settings.rate_limits_table),
        codec=SessionCodec(read_secret("session-secret")),
        tenants=tenant_registry(),
        bootstrap_password=bootstrap_password,
        browser=browser,
        knowledge=knowledge_base,
        client_ip=load_client_ip_rule(read_secret),
    )
