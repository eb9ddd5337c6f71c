"""Seed each served landlord's sources in the local knowledge bucket from ``knowledge/``, as a
first deployment would (``pierre_rag.publishing.seed``): ``make dev`` starts with the
repository's landlord Markdown published through the same path staff edits take."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from pierre_rag import wiring
from pierre_rag.publishing.seed import seed_landlord
from pierre_rag.settings import Settings

logger = logging.getLogger("pierre_local")


def seed_knowledge(session: Any, landlords: Iterable[str], settings: Settings) -> dict[str, int]:
    """Seed each landlord that has no sources yet from ``<landlords_dir>/<landlord>/``; the
    files copied per landlord (0: it had sources or history already). Nothing when publishing
    is not deployed (the template declares no knowledge bucket, table or queue)."""
    if not settings.publishing_deployed:
        return {}
    sources = wiring.source_store(settings, session.client("s3"))
    repository = wiring.publishing_repository(settings, session.client("dynamodb"))
    requests = wiring.build_requests(settings, session.client("sqs"))
    copied: dict[str, int] = {}
    for landlord in landlords:
        folder = settings.landlords_dir / landlord
        copied[landlord] = seed_landlord(sources, repository, requests, landlord, folder, time.time)
        if copied[landlord]:
            logger.info("seeded %d knowledge file(s) of %s", copied[landlord], landlord)
    return copied
