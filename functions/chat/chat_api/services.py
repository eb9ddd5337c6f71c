"""What the chat function needs at run time, built once per container (Lambda init)."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from typing import Any

from pierre_rag.auth.sessions import SessionCodec
from pierre_rag.auth.users import UserStore
from pierre_rag.client_ip import ClientIpRule, load_client_ip_rule
from pierre_rag.conversations import ConversationStore
from pierre_rag.llm import LlmClient
from pierre_rag.pipeline import Pipeline
from pierre_rag.ratelimit import Limit, RateLimiter
from pierre_rag.tenants import TenantConfig, TenantRegistry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatLimits:
    per_ip: Limit = field(default_factory=lambda: Limit("chat-ip", max_hits=30, window_s=300))
    per_conversation: Limit = field(
        default_factory=lambda: Limit("chat-conversation", max_hits=20, window_s=300)
    )
    feedback_per_ip: Limit = field(
        default_factory=lambda: Limit("chat-feedback-ip", max_hits=30, window_s=300)
    )
    feedback_per_conversation: Limit = field(
        default_factory=lambda: Limit("chat-feedback-conversation", max_hits=10, window_s=300)
    )


@dataclass
class ChatServices:
    registry: TenantRegistry
    pipeline: Pipeline
    store: ConversationStore
    limiter: RateLimiter
    sessions: SessionCodec
    users: UserStore  # read (one GetItem) only to check a staff session cookie
    limits: ChatLimits = field(default_factory=ChatLimits)
    client_ip: ClientIpRule = field(default_factory=ClientIpRule)

    def allowed_origins(self) -> set[str]:
        """Every origin any landlord declared for its widget (CORS preflight knows no tenant)."""
        return {
            origin
            for tenant_id in self.registry.ids
            for origin in self.registry.get(tenant_id).widget.allowed_origins
        }


class _LlmCache:
    """One LLM client per landlord, built on first use and kept for the container's life."""

    def __init__(self, read_secret: Any) -> None:
        self._read_secret = read_secret
        self._clients: dict[str, LlmClient | None] = {}

    def __call__(self, tenant: TenantConfig) -> LlmClient | None:
        if tenant.id not in self._clients:
            from pierre_rag.llm.factory import build_llm

            self._clients[tenant.id] = build_llm(tenant.llm, self._read_secret)
        return self._clients[tenant.id]


@functools.cache
def chat_services() -> ChatServices:
    import boto3

    from pierre_rag.knowledge.search import knowledge_base
    from pierre_rag.settings import Settings, read_secret
    from pierre_rag.tenants import tenant_registry

    settings = Settings.from_env()
    dynamodb = boto3.client("dynamodb")
    knowledge = knowledge_base()
    load = getattr(knowledge.embedder, "load", None)
    if callable(load):
        load()  # the embedding model is part of the cold start, not of the first question
    store = ConversationStore(dynamodb, settings.conversations_table)
    registry = tenant_registry()
    return ChatServices(
        registry=registry,
        pipeline=Pipeline(registry, knowledge, store, _LlmCache(read_secret)),
        store=store,
        limiter=RateLimiter(dynamodb, settings.rate_limits_table),
        sessions=SessionCodec(read_secret("session-secret")),
        users=UserStore(dynamodb, settings.users_table),
        client_ip=load_client_ip_rule(read_secret),
    )
