"""The chat function's composition root: its services, from the layer's factories.

``landlords`` and ``services`` are the function's globals, built at Lambda init
(``chat_handler``) or on first use (local stack, tests that do not override them). The
landlords are held apart so that health reports them even when the datastore cannot open.
Each landlord is answered from its live datastore when publishing is deployed
(``pierre_rag.publishing.serving``), fetched at init for every served landlord.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from chat_api.services import ChatServices
from pierre_rag import wiring
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.llm.landlords import LandlordLlms
from pierre_rag.publishing.ports import PublishingRepository
from pierre_rag.publishing.serving import ServingStatus, ServingStores
from pierre_rag.settings import Settings, read_secret
from pierre_rag.wiring import Lazy, ReadSecret

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient


def build_services(
    settings: Settings,
    read_secret: ReadSecret,
    dynamodb: DynamoDBClient,
    served: tuple[LandlordRegistry, LandlordLlms] | None = None,
    publishing: ServingStores | None = None,
) -> ChatServices:
    """The landlords and their LLMs (``served``, or built here with their edited settings),
    the knowledge base (embedding model loaded, as the language guess's: part of the cold
    start, not of the first question) and each served landlord's live datastore
    (``publishing``'s pointers), the stores and the secrets the chat reads."""
    registry, llms = served or served_landlords(
        settings, read_secret, wiring.publishing_if_deployed(settings, dynamodb)
    )
    store = wiring.conversation_store(settings, dynamodb)
    base = wiring.knowledge(settings)
    knowledge = wiring.landlord_knowledge(base, publishing)
    # The network reads (each landlord's live datastore, the secrets) wait on AWS while this
    # thread loads the models: the cold start pays the longer of the two, not their sum.
    # Every boto3 client they use exists already or is made in that one thread.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-init") as network:
        fetched = network.submit(knowledge.warm, registry.ids)
        sessions = network.submit(wiring.session_codec, read_secret)
        client_ip = network.submit(wiring.client_ip_rule, read_secret)
        wiring.warm_language_model()
        wiring.warm_knowledge(base)
        fetched.result()
    return ChatServices(
        registry=registry,
        pipeline=wiring.pipeline(
            registry,
            llms,
            knowledge,
            store,
            wiring.operations_metrics(settings, lambda: registry.ids),
            wiring.validated_answers(settings, dynamodb, base),
        ),
        store=store,
        limiter=wiring.rate_limiter(settings, dynamodb),
        sessions=sessions.result(),
        users=wiring.user_store(settings, dynamodb),
        client_ip=client_ip.result(),
        articles=knowledge.browser,
        knowledge=knowledge,
    )


def served_landlords(
    settings: Settings,
    read_secret: ReadSecret,
    publishing: PublishingRepository | None,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[LandlordRegistry, LandlordLlms]:
    """The landlords and their LLMs, each landlord's settings edited in the admin served over
    its file (when ``publishing`` is deployed; re-read every 30 s of ``clock``)."""
    registry, llms = wiring.served_landlords(settings, read_secret)
    every = settings.knowledge_check_s
    return wiring.with_edited_settings(registry, publishing, clock, every), llms


def landlords_from_environment(
    secrets: ReadSecret = read_secret,
) -> tuple[LandlordRegistry, LandlordLlms]:
    import boto3

    settings = Settings.from_env()
    publishing = wiring.publishing_if_deployed(settings, boto3.client("dynamodb"))
    return served_landlords(settings, secrets, publishing)


def from_environment(secrets: ReadSecret = read_secret) -> ChatServices:
    """As template.yaml deploys it: settings from the environment, secrets from SSM, the
    landlords of ``landlords``."""
    import boto3

    settings = Settings.from_env()
    dynamodb = boto3.client("dynamodb")
    publishing = wiring.serving_stores(settings, lambda: boto3.client("s3"), dynamodb)
    return build_services(settings, secrets, dynamodb, landlords(), publishing)


landlords: Lazy[tuple[LandlordRegistry, LandlordLlms]] = Lazy(landlords_from_environment)
services: Lazy[ChatServices] = Lazy(from_environment)


def served_registry() -> LandlordRegistry:
    """The landlords health reports (their LLM clients built, the datastore not needed)."""
    registry, _ = landlords()
    return registry


def knowledge_statuses() -> dict[str, ServingStatus]:
    """What serves each landlord, once the services are built (at Lambda init): health
    never builds them."""
    built = services.peek()
    return built.knowledge.statuses() if built and built.knowledge else {}
