"""What the routes talk to; ``admin_wiring`` builds it once per container and tests build it
from fakes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pierre_rag.auth.lockout import LoginThrottle
from pierre_rag.auth.sessions import SessionCodec
from pierre_rag.client_ip import ClientIpRule
from pierre_rag.knowledge.browse import KnowledgeBrowser
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.publishing.ports import PublishingRepository
from pierre_rag.sms.failed import FailedSms
from pierre_rag.storage.ports import ConversationRepository, UserRepository


@dataclass(frozen=True)
class Services:
    users: UserRepository
    conversations: ConversationRepository
    throttle: LoginThrottle
    codec: SessionCodec
    landlords: LandlordRegistry
    # landlord → its first administrator's bootstrap secret, None when it has none
    bootstrap_password: Callable[[str], str | None]
    # landlord → the files and the search of the knowledge serving it (its live datastore)
    browser: Callable[[str], KnowledgeBrowser]
    knowledge: Callable[[str], KnowledgeBase]
    clock: Callable[[], float] = field(default=time.time)
    # landlord → its SMS in the dead-letter queue (none when SMS is not deployed)
    failed_sms: Callable[[str], list[FailedSms]] = field(default=lambda landlord: [])
    # who the caller is for lock-out counters (trusts CloudFront only with the origin secret)
    client_ip: ClientIpRule = field(default_factory=ClientIpRule)
    # (landlord, message id) → True when that failed SMS was re-queued / deleted
    requeue_failed_sms: Callable[[str, str], bool] = field(default=lambda landlord, m: False)
    delete_failed_sms: Callable[[str, str], bool] = field(default=lambda landlord, m: False)
    # the knowledge table (edited settings, history); None: publishing is not deployed
    publishing: PublishingRepository | None = None
