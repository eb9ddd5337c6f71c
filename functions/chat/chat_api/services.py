"""What the chat routes talk to; ``chat_wiring`` builds it once per container (Lambda init)
and tests build it from fakes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from fastapi import Request

from pierre_rag.auth.sessions import SessionCodec
from pierre_rag.client_ip import ClientIpRule
from pierre_rag.knowledge.articles import ArticleShelf
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.pipeline import Pipeline
from pierre_rag.publishing.serving import LandlordKnowledge, ServingStatus
from pierre_rag.ratelimit import Limit
from pierre_rag.storage.ports import ConversationRepository, RateLimitRepository, UserRepository

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


def _no_articles(landlord: str) -> ArticleShelf:
    raise LookupError("these chat services were built without the knowledge's files")


@dataclass
class ChatServices:
    registry: LandlordRegistry
    pipeline: Pipeline
    store: ConversationRepository
    limiter: RateLimitRepository
    sessions: SessionCodec
    users: UserRepository  # read (one GetItem) only to check a staff session cookie
    limits: ChatLimits = field(default_factory=ChatLimits)
    client_ip: ClientIpRule = field(default_factory=ClientIpRule)
    # landlord → the files of the knowledge serving it, read for the article pages
    articles: Callable[[str], ArticleShelf] = field(default=_no_articles)
    # what serves each landlord (health); None: one knowledge base for all
    knowledge: LandlordKnowledge | None = None

    def allowed_origins(self) -> set[str]:
        """Every origin any landlord declared for its widget (CORS preflight knows no landlord)."""
        return {
            origin
            for landlord_id in self.registry.ids
            for origin in self.registry.get(landlord_id).widget.allowed_origins
        }


def current_services(request: Request) -> ChatServices:
    """The services the app was created with (a route's dependency)."""
    services: Callable[[], ChatServices] = request.app.state.services
    return services()


def knowledge_statuses(request: Request) -> Mapping[str, ServingStatus]:
    """What serves each landlord, for health (a route's dependency)."""
    statuses: Callable[[], Mapping[str, ServingStatus]] = request.app.state.knowledge_statuses
    return statuses()


def served_landlords(request: Request) -> LandlordRegistry:
    """The landlords the app serves, for health (a route's dependency)."""
    landlords: Callable[[], LandlordRegistry] = request.app.state.landlords
    return landlords()
