"""The chat function's composition root: its services, from the layer's factories.

``services`` is the function's one global, built at Lambda init (``chat_handler``) or on the
first request (local stack, tests that do not override it).
"""

from __future__ import annotations

from typing import Any

from chat_api.services import ChatServices
from pierre_rag import wiring
from pierre_rag.settings import Settings, read_secret
from pierre_rag.wiring import Lazy, SecretReader


def build_services(settings: Settings, read_secret: SecretReader, dynamodb: Any) -> ChatServices:
    """Landlords and their LLMs, the knowledge base (embedding model loaded: part of the cold
    start, not of the first question), the stores and the secrets the chat reads."""
    registry, llms = wiring.served_landlords(settings, read_secret)
    store = wiring.conversation_store(settings, dynamodb)
    return ChatServices(
        registry=registry,
        pipeline=wiring.pipeline(registry, llms, wiring.knowledge(settings, warm=True), store),
        store=store,
        limiter=wiring.rate_limiter(settings, dynamodb),
        sessions=wiring.session_codec(read_secret),
        users=wiring.user_store(settings, dynamodb),
        client_ip=wiring.client_ip_rule(read_secret),
    )


def from_environment(secrets: SecretReader = read_secret) -> ChatServices:
    """As template.yaml deploys it: settings from the environment, secrets from SSM."""
    import boto3

    return build_services(Settings.from_env(), secrets, boto3.client("dynamodb"))


services: Lazy[ChatServices] = Lazy(from_environment)
