"""An in-process admin app over moto tables, a fixture datastore and two landlords."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from admin_app.app import create_app
from admin_app.services import Services
from starlette.testclient import TestClient

from pierre_local.resources import LocalResources
from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.lockout import LoginThrottle
from pierre_rag.auth.passwords import hash_password
from pierre_rag.auth.sessions import COOKIE_NAME, SessionCodec
from pierre_rag.auth.users import UserStore
from pierre_rag.conversations import SMS_SENDER_ATTRIBUTE, ConversationStore, Turn
from pierre_rag.data_requests import DataRequestLog
from pierre_rag.knowledge.browse import KnowledgeBrowser
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.landlords import ContextConfig, LandlordConfig, LandlordRegistry, load_landlord_file
from pierre_rag.phones import pseudonymise_phone
from pierre_rag.publishing.memory import MemoryBuildRequests, MemoryPublishing, MemorySources
from pierre_rag.review.handled import HandledMarkStore
from pierre_rag.review.validated import ValidatedAnswerStore
from pierre_rag.sms.failed import FailedSms
from pierre_rag.storage.ports import ConversationRepository, UserRepository
from tests.helpers import REPO_ROOT
from tests.unit.knowledge.fakes import HashEmbedder

LANDLORD = "pierre-habitat.fr"
OTHER = "autre-bailleur.fr"
BOOTSTRAP = "bootstrap-secret-for-tests"
OTHER_BOOTSTRAP = "the-other-landlords-bootstrap-secret"
BOOTSTRAP_SECRETS = {LANDLORD: BOOTSTRAP, OTHER: OTHER_BOOTSTRAP}  # one per landlord
PASSWORD = "correct horse battery staple"
SECRET = "s" * 32
PHONE_HASH_KEY = b"phone-hash-key-for-tests"
FAILED_SMS = {
    LANDLORD: [
        FailedSms(
            message_id="m1",
            received_ms=1_795_615_331_000,
            sender_hint="•• 78",
            text="<b>chauffage</b> en panne",
            deliveries=5,
            reason="CM answered 503",
        )
    ]
}


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def registry() -> LandlordRegistry:
    ours = load_landlord_file(REPO_ROOT / "knowledge" / LANDLORD / "landlord.yaml", LANDLORD)
    other = LandlordConfig(
        id=OTHER,
        name="Autre bailleur",
        contexts={
            "default": ContextConfig(),
            "staff": ContextConfig(protected=True, access=list(AccessLevel)),
        },
    )
    return LandlordRegistry([ours, other])


class BuildActions:
    """The builder's confirm and rollback as the admin calls them: recorded, answering
    ``error`` (None: done)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, str]] = []
        self.error: str | None = None

    def confirm(self, landlord: str, build_id: str, actor: str) -> str | None:
        self.calls.append(("confirm", landlord, build_id, actor))
        return self.error

    def rollback(self, landlord: str, build_id: str, actor: str) -> str | None:
        self.calls.append(("rollback", landlord, build_id, actor))
        return self.error


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Admin:
    """What a test needs: the app's client, its stores and helpers to sign in and seed."""

    client: TestClient
    services: Services
    clock: Clock
    build_actions: BuildActions = field(default_factory=BuildActions)
    csrf_tokens: dict[str, str] = field(default_factory=dict)

    @property
    def users(self) -> UserRepository:
        return self.services.users

    @property
    def conversations(self) -> ConversationRepository:
        return self.services.conversations

    def add_user(
        self, email: str, role: StaffRole, landlord: str = LANDLORD, *, must_change: bool = False
    ) -> None:
        self.users.create(landlord, email, role, password_hash(), must_change_password=must_change)

    def sign_in_as(self, email: str, role: StaffRole, landlord: str = LANDLORD) -> str:
        """Create the account if needed and put a session cookie on the client; returns its CSRF."""
        if self.users.get(landlord, email) is None:
            self.add_user(email, role, landlord)
        user = self.users.get(landlord, email)
        assert user is not None and user.role == role, f"{email} exists with another role"
        token, session = self.services.codec.issue(user)
        self.client.cookies.set(COOKIE_NAME, token)
        return session.csrf

    def sign_out(self) -> None:
        self.client.cookies.clear()

    def login_csrf(self) -> str:
        page = self.client.get("/admin/login")
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert match, page.text
        return match.group(1)

    def login(self, email: str, password: str) -> Any:
        csrf = self.login_csrf()
        return self.client.post(
            "/admin/login",
            data={"email": email, "password": password, "csrf": csrf},
            follow_redirects=False,
        )

    def seed_conversation(
        self,
        conversation_id: str,
        *,
        landlord: str = LANDLORD,
        created_ms: int = 1_795_600_000_000,
        channel: Literal["web", "sms"] = "web",
        context: str = "default",
        question: str = "Quels sont les horaires de l'agence ?",
        answer: str = "L'agence est ouverte de 8 h 30 à 17 h 30.",
        outcome: str = "answered",
        sources: list[dict[str, str]] | None = None,
        signals: list[str] | None = None,
        sms_from: str | None = None,
    ) -> None:
        """``sms_from``: an SMS sender's number, stored as the SMS worker does (its keyed hash)."""
        store = self.conversations
        question_turn = Turn("user", question, f"{conversation_id}-q", created_ms)
        sender = None if sms_from is None else pseudonymise_phone(sms_from, PHONE_HASH_KEY)
        store.record_user_turn(
            conversation_id,
            question_turn,
            landlord=landlord,
            context=context,
            channel="sms" if sender else channel,
            retention_days=30,
            extra_meta={SMS_SENDER_ATTRIBUTE: sender} if sender else None,
        )
        store.record_answer(
            conversation_id,
            Turn(
                "assistant",
                answer,
                question_turn.message_id,
                created_ms + 1500,
                sources=sources
                or [
                    {
                        "number": "1",
                        "file": "pierre-habitat.fr/public/agences.md",
                        "title": "Agences",
                        "heading": "Horaires",
                        "breadcrumb": "Agences > Horaires",
                    }
                ],
                outcome=outcome,
                signals=signals or [],
                language="fr",
                model="extractive",
                prompt_tokens=100,
                completion_tokens=20,
                latency_ms={"total": 850.0, "llm": 0.0},
                cost_usd=0.0001,
            ),
            retention_days=30,
        )


def make_admin(dynamodb: Any, datastore: Path) -> Admin:
    clock = Clock()
    build_actions = BuildActions()
    codec = SessionCodec(SECRET)
    embedder = HashEmbedder()
    knowledge = KnowledgeBase(Datastore(datastore), embedder)
    browser = KnowledgeBrowser(datastore)
    services = Services(
        users=UserStore(dynamodb, LocalResources.physical_name("UsersTable")),
        conversations=ConversationStore(
            dynamodb, LocalResources.physical_name("ConversationsTable")
        ),
        throttle=LoginThrottle(
            dynamodb, LocalResources.physical_name("RateLimitsTable"), clock=clock
        ),
        codec=codec,
        landlords=registry(),
        bootstrap_password=BOOTSTRAP_SECRETS.get,
        browser=lambda landlord: browser,
        knowledge=lambda landlord: knowledge,
        validated_answers=ValidatedAnswerStore(
            dynamodb, LocalResources.physical_name("ConversationsTable")
        ),
        handled=HandledMarkStore(dynamodb, LocalResources.physical_name("ConversationsTable")),
        clock=clock,
        failed_sms=lambda landlord: FAILED_SMS.get(landlord, []),
        sources=MemorySources(clock),
        publishing=MemoryPublishing(),
        build_requests=MemoryBuildRequests(),
        confirm_build=build_actions.confirm,
        rollback_build=build_actions.rollback,
        data_request_log=DataRequestLog(
            dynamodb, LocalResources.physical_name("ConversationsTable")
        ),
        phone_hash=lambda number: pseudonymise_phone(number, PHONE_HASH_KEY),
    )
    client = TestClient(create_app(lambda: services), base_url="https://admin.example.org")
    return Admin(client, services, clock, build_actions)
