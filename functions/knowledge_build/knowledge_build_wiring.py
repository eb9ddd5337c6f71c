"""The knowledge-build function's composition root: a :class:`LandlordBuilder` over the
knowledge bucket and table, the layer's datastore as the community base, and a work folder
under ``/tmp`` (the only writable place in Lambda).

``builder`` is built on first use and kept for the container's life: the embedding model and
the community base are loaded once per container, not once per build.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pierre_rag import wiring
from pierre_rag.settings import Settings
from pierre_rag.wiring import Lazy

if TYPE_CHECKING:
    from pierre_rag.knowledge.embeddings import Embedder
    from pierre_rag.metrics import OperationsMetrics
    from pierre_rag.publishing.build import LandlordBuilder
    from pierre_rag.publishing.community import CommunityRefresh
    from pierre_rag.publishing.ports import ArtifactStore, PublishingRepository, SourceStore


def work_dir() -> Path:
    """Where builds write (``/tmp/knowledge-build`` in Lambda)."""
    return Path(tempfile.gettempdir()) / "knowledge-build"


def build_builder(
    settings: Settings,
    sources: SourceStore,
    artifacts: ArtifactStore,
    repository: PublishingRepository,
    embedder: Embedder | None = None,
) -> LandlordBuilder:
    """The builder over these stores; ``embedder`` defaults to the environment's (the one
    the layer's datastore was built with)."""
    from pierre_rag.knowledge.embeddings import embedder_from_env
    from pierre_rag.publishing.build import LandlordBuilder

    return LandlordBuilder(
        sources=sources,
        artifacts=artifacts,
        repository=repository,
        base_datastore=settings.datastore_path,
        embedder=embedder or embedder_from_env(),
        work_dir=work_dir(),
    )


def builder_from_environment() -> LandlordBuilder:
    """As template.yaml deploys it: the knowledge bucket (S3) and table (DynamoDB)."""
    import boto3

    settings = Settings.from_env()
    s3, dynamodb = boto3.client("s3"), boto3.client("dynamodb")
    return build_builder(
        settings,
        wiring.source_store(settings, s3),
        wiring.artifact_store(settings, s3),
        wiring.publishing_repository(settings, dynamodb),
    )


def refresh_community_from_environment() -> CommunityRefresh:
    """Ask for a build of each landlord of the layer whose live datastore was built over
    another community copy than the layer's (after a deploy; see ``community_update``)."""
    import time

    import boto3

    from pierre_rag.knowledge.datastore import Datastore
    from pierre_rag.publishing.authoring import Authoring
    from pierre_rag.publishing.community import COMMUNITY_UPDATE_ACTOR, rebuild_stale_landlords

    settings = Settings.from_env()
    s3, dynamodb = boto3.client("s3"), boto3.client("dynamodb")
    repository = wiring.publishing_repository(settings, dynamodb)
    authoring = Authoring(
        wiring.source_store(settings, s3),
        repository,
        wiring.build_requests(settings, boto3.client("sqs")),
        time.time,
    )
    community = Datastore(settings.datastore_path)
    try:
        community_hash = community.meta.source_hash
    finally:
        community.close()
    return rebuild_stale_landlords(
        wiring.landlords(settings).ids,
        community_hash,
        repository,
        lambda landlord: authoring.request_build(landlord, COMMUNITY_UPDATE_ACTOR),
    )


builder: Lazy[LandlordBuilder] = Lazy(builder_from_environment)
operations: Lazy[OperationsMetrics] = Lazy(wiring.operations_metrics_from_environment)
