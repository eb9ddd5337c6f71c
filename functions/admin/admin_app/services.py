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
from pierre_rag.money import USD_TO_EUR
from pierre_rag.publishing.authoring import Authoring
from pierre_rag.publishing.ports import BuildRequests, PublishingRepository, SourceStore
from pierre_rag.sms.failed import FailedSms
from pierre_rag.storage.ports import (
    ConversationRepository,
    DataRequestLogRepository,
    HandledMarkRepository,
    UserRepository,
    ValidatedAnswerRepository,
)

NOT_DEPLOYED = "publication non déployée"
# (landlord, build id, actor) → an error message for the administrator, None when done
BuildAction = Callable[[str, str, str], str | None]


def build_not_deployed(landlord: str, build_id: str, actor: str) -> str | None:
    return NOT_DEPLOYED


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
    # staff's validated answers and the backlog items they marked handled (#19)
    validated_answers: ValidatedAnswerRepository
    handled: HandledMarkRepository
    clock: Callable[[], float] = field(default=time.time)
    # landlord → its SMS in the dead-letter queue (none when SMS is not deployed)
    failed_sms: Callable[[str], list[FailedSms]] = field(default=lambda landlord: [])
    # who the caller is for lock-out counters (trusts CloudFront only with the origin secret)
    client_ip: ClientIpRule = field(default_factory=ClientIpRule)
    # (landlord, message id) → True when that failed SMS was re-queued / deleted
    requeue_failed_sms: Callable[[str, str], bool] = field(default=lambda landlord, m: False)
    delete_failed_sms: Callable[[str, str], bool] = field(default=lambda landlord, m: False)
    # knowledge publishing (#17); None: not deployed, the knowledge pages say so
    sources: SourceStore | None = None
    publishing: PublishingRepository | None = None
    build_requests: BuildRequests | None = None
    # an administrator publishes a build its control questions held, or rolls back to a kept
    # one; the knowledge builder does it (``admin_wiring``), the admin never builds
    confirm_build: BuildAction = field(default=build_not_deployed)
    rollback_build: BuildAction = field(default=build_not_deployed)
    # euros per US dollar for every cost shown (Settings.usd_to_eur)
    usd_to_eur: float = USD_TO_EUR
    # tenants' data requests: the audit of each search, export and erasure, and a number's
    # keyed hash (phone-hash-key); None: the page refuses to act rather than act unaudited
    data_request_log: DataRequestLogRepository | None = None
    phone_hash: Callable[[str], str] | None = None

    def authoring(self) -> Authoring | None:
        """The authoring actions over the publishing stores, None when not deployed."""
        if self.sources is None or self.publishing is None or self.build_requests is None:
            return None
        return Authoring(self.sources, self.publishing, self.build_requests, self.clock)
