"""The factories every function's wiring module builds its services from.

Each takes what it needs (``Settings``, a secret reader, a boto3 client made by the caller)
and returns one thing, so this module imports no boto3 and holds no state: the functions'
wiring modules (``functions/*/*_wiring.py``) create the clients, call these once per
container, and keep the result in a :class:`Lazy`. A new store gets one factory here; a new
channel gets a wiring module beside its handler, built from these.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Generic, TypeVar

from pierre_rag.settings import Settings

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_s3.client import S3Client
    from types_boto3_sqs.client import SQSClient

    from pierre_rag.auth.lockout import LoginThrottle
    from pierre_rag.auth.sessions import SessionCodec
    from pierre_rag.auth.users import UserStore
    from pierre_rag.client_ip import ClientIpRule
    from pierre_rag.conversations import ConversationStore
    from pierre_rag.data_requests import DataRequestLog
    from pierre_rag.knowledge.search import KnowledgeBase
    from pierre_rag.landlords import LandlordRegistry
    from pierre_rag.llm.landlords import LandlordLlms
    from pierre_rag.metrics import OperationsMetrics
    from pierre_rag.pipeline import Pipeline
    from pierre_rag.pipeline.retrieve import Searcher
    from pierre_rag.publishing.dynamodb import DynamoPublishing
    from pierre_rag.publishing.ports import PublishingRepository
    from pierre_rag.publishing.s3 import S3Artifacts, S3Sources
    from pierre_rag.publishing.serving import LandlordKnowledge, ServingStores
    from pierre_rag.publishing.sqs import SqsBuildRequests
    from pierre_rag.ratelimit import RateLimiter
    from pierre_rag.review.handled import HandledMarkStore
    from pierre_rag.review.matching import ValidatedAnswers
    from pierre_rag.review.validated import ValidatedAnswerStore
    from pierre_rag.sms.store import SmsStateStore

T = TypeVar("T")
ReadSecret = Callable[[str], str]


class Lazy(Generic[T]):
    """A value built on first call and kept for the container's life: the one global of a
    wiring module ("clients built at Lambda init"). Tests swap its builder with
    :meth:`override` instead of clearing caches."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None

    def __call__(self) -> T:
        if self._value is None:
            self._value = self._build()
        return self._value

    def peek(self) -> T | None:
        """The value if it was built, without building it (health reads what exists)."""
        return self._value

    @contextmanager
    def override(self, build: Callable[[], T]) -> Iterator[None]:
        """Within the block, the value is ``build()`` (on first call); then the previous one."""
        saved = self._build, self._value
        self._build, self._value = build, None
        try:
            yield
        finally:
            self._build, self._value = saved


def landlords(settings: Settings) -> LandlordRegistry:
    """Every landlord file of ``PIERRE_LANDLORDS_DIR``, invalid ones kept as problems."""
    from pierre_rag.landlords import LandlordRegistry

    return LandlordRegistry.from_directory(settings.landlords_dir)


def with_edited_settings(
    registry: LandlordRegistry,
    publishing: PublishingRepository | None,
    clock: Callable[[], float] = time.monotonic,
    check_every_s: float = 30.0,
) -> LandlordRegistry:
    """``registry`` serving each landlord's settings edited in the admin over its file (re-read
    at most every ``check_every_s`` of ``clock``, ``pierre_rag.landlord_overrides``);
    unchanged when publishing is not deployed (``publishing`` None)."""
    if publishing is None:
        return registry
    from pierre_rag.landlord_overrides import LandlordOverrides

    overrides = LandlordOverrides(publishing, clock=clock, check_every_s=check_every_s)
    return registry.with_overlay(overrides.effective)


def served_landlords(
    settings: Settings, read_secret: ReadSecret | None
) -> tuple[LandlordRegistry, LandlordLlms]:
    """The landlords a function that answers serves and their LLM clients (a landlord whose
    provider cannot be built is left out, and health reports it)."""
    from pierre_rag.llm.landlords import served_landlords as with_llms

    return with_llms(landlords(settings), read_secret)


def knowledge(settings: Settings, *, warm: bool = False) -> KnowledgeBase:
    """The datastore of ``PIERRE_DATASTORE`` with the embedder of the environment; ``warm``
    loads its models now (see :func:`warm_knowledge`)."""
    from pierre_rag.knowledge.search import KnowledgeBase

    base = KnowledgeBase.open(settings.datastore_path)
    if warm:
        warm_knowledge(base)
    return base


def warm_knowledge(base: KnowledgeBase) -> None:
    """Load the embedding model, embed the gate's topics and read the place table now (cold
    start) rather than on the first question."""
    load = getattr(base.embedder, "load", None)
    if callable(load):
        load()
        base.scope.load()
        if base.config.places is not None:
            base.config.places.load()


def serving_stores(
    settings: Settings, s3: Callable[[], S3Client], dynamodb: DynamoDBClient
) -> ServingStores | None:
    """The publishing stores that name landlords' live datastores, None when publishing is
    not deployed (no ``KNOWLEDGE_BUCKET`` or ``KNOWLEDGE_TABLE``): no S3 client is made."""
    if not (settings.knowledge_bucket and settings.knowledge_table):
        return None
    from pierre_rag.publishing.serving import ServingStores

    return ServingStores(
        publishing_repository(settings, dynamodb),
        artifact_store(settings, s3()),
        check_every_s=settings.knowledge_check_s,
    )


def landlord_knowledge(base: KnowledgeBase, stores: ServingStores | None) -> LandlordKnowledge:
    """Each landlord's live KnowledgeBase over ``base`` (the layer's): ``base`` for every
    landlord when ``stores`` is None."""
    from pierre_rag.publishing.serving import SERVED_FOLDER, LandlordKnowledge

    if stores is None:
        return LandlordKnowledge(base, None, None, SERVED_FOLDER)
    return LandlordKnowledge(
        base,
        stores.repository,
        stores.artifacts,
        stores.folder,
        check_every_s=stores.check_every_s,
    )


def warm_language_model() -> None:
    """Loads the language guess's model now (cold start, ~0.02 s) rather than on the first
    question (see ``pipeline.language_model``)."""
    from pierre_rag.pipeline.language_model import identifier

    identifier()


def pipeline(
    registry: LandlordRegistry,
    llms: LandlordLlms,
    knowledge: Searcher | Callable[[str], Searcher],
    store: ConversationStore,
    metrics: OperationsMetrics | None = None,
    validated: ValidatedAnswers | None = None,
) -> Pipeline:
    """The answering pipeline, the same for every channel; ``knowledge`` is one knowledge
    base, or each landlord's (:func:`landlord_knowledge`); ``validated`` the landlords'
    validated answers (:func:`validated_answers`)."""
    from pierre_rag.pipeline import Pipeline

    return Pipeline(registry, knowledge, store, llms, metrics=metrics, validated=validated)


def operations_metrics(
    settings: Settings, known_landlords: Callable[[], Collection[str]]
) -> OperationsMetrics:
    """The operations metrics: CloudWatch EMF in Lambda, nothing written elsewhere (the local
    stack, tests). ``known_landlords`` bounds the landlord dimension."""
    from pierre_rag.metrics import EmfRecorder, MetricsRecorder, NullRecorder, OperationsMetrics

    recorder: MetricsRecorder = (
        EmfRecorder(settings.metrics_namespace, settings.service)
        if settings.lambda_function_name
        else NullRecorder()
    )
    return OperationsMetrics(recorder, known_landlords, usd_to_eur=settings.usd_to_eur)


def operations_metrics_from_environment() -> OperationsMetrics:
    """The operations metrics of a function that does not load the landlords otherwise (the
    handlers counting dead-letter moves, the knowledge build): bounded by the landlord files."""
    settings = Settings.from_env()
    known = frozenset(landlords(settings).ids)
    return operations_metrics(settings, lambda: known)


def conversation_store(settings: Settings, dynamodb: DynamoDBClient) -> ConversationStore:
    from pierre_rag.conversations import ConversationStore

    return ConversationStore(dynamodb, settings.conversations_table)


def validated_answer_store(settings: Settings, dynamodb: DynamoDBClient) -> ValidatedAnswerStore:
    """The landlords' validated answers (conversations table, ``pierre_rag.review.validated``)."""
    from pierre_rag.review.validated import ValidatedAnswerStore

    return ValidatedAnswerStore(dynamodb, settings.conversations_table)


def handled_mark_store(settings: Settings, dynamodb: DynamoDBClient) -> HandledMarkStore:
    """The backlog items staff marked handled (conversations table, ``pierre_rag.review``)."""
    from pierre_rag.review.handled import HandledMarkStore

    return HandledMarkStore(dynamodb, settings.conversations_table)


def validated_answers(
    settings: Settings, dynamodb: DynamoDBClient, base: KnowledgeBase
) -> ValidatedAnswers:
    """The validated answers the pipeline serves, matched with ``base``'s embedder (the
    search's own model)."""
    from pierre_rag.review.matching import ValidatedAnswers

    return ValidatedAnswers(validated_answer_store(settings, dynamodb), lambda: base.embedder)


def data_request_log(settings: Settings, dynamodb: DynamoDBClient) -> DataRequestLog:
    """The audit of tenants' data requests, in the conversations table."""
    from pierre_rag.data_requests import DataRequestLog

    return DataRequestLog(dynamodb, settings.conversations_table)


def user_store(settings: Settings, dynamodb: DynamoDBClient) -> UserStore:
    from pierre_rag.auth.users import UserStore

    return UserStore(dynamodb, settings.users_table)


def rate_limiter(settings: Settings, dynamodb: DynamoDBClient) -> RateLimiter:
    from pierre_rag.ratelimit import RateLimiter

    return RateLimiter(dynamodb, settings.rate_limits_table)


def login_throttle(settings: Settings, dynamodb: DynamoDBClient) -> LoginThrottle:
    from pierre_rag.auth.lockout import LoginThrottle

    return LoginThrottle(dynamodb, settings.rate_limits_table)


def sms_state_store(settings: Settings, dynamodb: DynamoDBClient) -> SmsStateStore:
    from pierre_rag.sms.store import SmsStateStore

    return SmsStateStore(dynamodb, settings.idempotency_table, settings.conversations_table)


def source_store(settings: Settings, s3: S3Client) -> S3Sources:
    """A landlord's Markdown sources, versioned, in the knowledge bucket."""
    from pierre_rag.publishing.s3 import S3Sources

    return S3Sources(s3, settings.knowledge_bucket)


def artifact_store(settings: Settings, s3: S3Client) -> S3Artifacts:
    """Built datastores and embedding caches, in the knowledge bucket."""
    from pierre_rag.publishing.s3 import S3Artifacts

    return S3Artifacts(s3, settings.knowledge_bucket)


def publishing_repository(settings: Settings, dynamodb: DynamoDBClient) -> DynamoPublishing:
    """Pointers, history, control questions, builds and edited settings (knowledge table)."""
    from pierre_rag.publishing.dynamodb import DynamoPublishing

    return DynamoPublishing(dynamodb, settings.knowledge_table)


def publishing_if_deployed(settings: Settings, dynamodb: DynamoDBClient) -> DynamoPublishing | None:
    """The knowledge table when it is deployed (``KNOWLEDGE_TABLE`` set), None otherwise: what
    the chat, the SMS worker and the admin read the landlords' edited settings from."""
    return publishing_repository(settings, dynamodb) if settings.knowledge_table else None


def build_requests(settings: Settings, sqs: SQSClient) -> SqsBuildRequests:
    """Sends build requests to the knowledge-build function's FIFO queue."""
    from pierre_rag.publishing.sqs import SqsBuildRequests

    return SqsBuildRequests(sqs, settings.knowledge_build_queue_url)


def session_codec(read_secret: ReadSecret) -> SessionCodec:
    """Signs the staff session cookie the admin issues and the chat reads."""
    from pierre_rag.auth.sessions import SessionCodec

    return SessionCodec(read_secret("session-secret"))


def client_ip_rule(read_secret: ReadSecret) -> ClientIpRule:
    """Who the caller is (trusts CloudFront's header only with the origin secret)."""
    from pierre_rag.client_ip import load_client_ip_rule

    return load_client_ip_rule(read_secret)
