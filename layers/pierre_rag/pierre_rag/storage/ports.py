"""One protocol per store: what the pipeline and the apps may ask of storage.

Each has a DynamoDB implementation beside its domain (which owns the key schema and the
paging) and an in-memory one in :mod:`pierre_rag.storage.memory`; the contract tests
(``tests/functional/storage``) run the same cases against both, so the fake cannot drift.
Callers name these protocols, never a DynamoDB class.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.users import User
from pierre_rag.channel import Channel
from pierre_rag.conversations import AnswerReview, ConversationMeta, Turn, WriteGuard
from pierre_rag.data_requests import DataRequestRecord
from pierre_rag.ratelimit import Limit, Verdict
from pierre_rag.review.handled import HandledMark
from pierre_rag.review.validated import ValidatedAnswer
from pierre_rag.sms.store import Delivery


class ConversationRepository(Protocol):
    """Conversations, their turns and their review (see :mod:`pierre_rag.conversations`)."""

    def record_user_turn(
        self,
        conversation_id: str,
        turn: Turn,
        *,
        landlord: str,
        context: str,
        channel: Channel,
        retention_days: int,
        extra_meta: dict[str, Any] | None = None,
        guard: WriteGuard | None = None,
    ) -> None: ...

    def record_answer(self, conversation_id: str, answer: Turn, retention_days: int) -> None: ...

    def set_customer_score(self, conversation_id: str, score: int, comment: str | None) -> None: ...

    def set_organisation_score(
        self, conversation_id: str, score: int, comment: str | None
    ) -> None: ...

    def set_answer_review(
        self, conversation_id: str, review: AnswerReview, *, landlord: str, retention_days: int
    ) -> None: ...

    def delete(self, conversation_id: str) -> int: ...

    def get_meta(self, conversation_id: str) -> ConversationMeta | None: ...

    def last_turns(self, conversation_id: str, limit: int = 10) -> list[Turn]: ...

    def all_turns(self, conversation_id: str) -> list[Turn]: ...

    def answer_reviews(self, conversation_id: str) -> dict[str, AnswerReview]: ...

    def answer_to(self, conversation_id: str, message_id: str) -> Turn | None: ...

    def exchange(
        self, conversation_id: str, message_id: str
    ) -> tuple[Turn | None, Turn | None]: ...

    def conversations_of_day(
        self, landlord: str, day: str, *, limit: int = 50, after: str = ""
    ) -> tuple[list[ConversationMeta], str]: ...

    def conversations_of_sms_sender(
        self, landlord: str, phone_hash: str
    ) -> list[ConversationMeta]: ...


class DataRequestLogRepository(Protocol):
    """The audit of tenants' data requests (see :mod:`pierre_rag.data_requests`)."""

    def record(self, entry: DataRequestRecord) -> None: ...

    def latest(self, landlord: str, limit: int = 20) -> list[DataRequestRecord]: ...


class UserRepository(Protocol):
    """Staff accounts (see :mod:`pierre_rag.auth.users`)."""

    def landlord_of(self, email: str) -> str | None: ...

    def get(self, landlord: str, email: str) -> User | None: ...

    def list(self, landlord: str) -> list[User]: ...

    def has_users(self, landlord: str) -> bool: ...

    def create(
        self,
        landlord: str,
        email: str,
        role: StaffRole,
        password_hash: str,
        *,
        name: str = "",
        must_change_password: bool = True,
    ) -> User: ...

    def set_role(self, landlord: str, email: str, role: StaffRole) -> None: ...

    def end_sessions(self, landlord: str, email: str) -> None: ...

    def set_password(
        self, landlord: str, email: str, password_hash: str, *, must_change_password: bool
    ) -> None: ...

    def delete(self, landlord: str, email: str) -> None: ...


class RateLimitRepository(Protocol):
    """Fixed-window counters (see :mod:`pierre_rag.ratelimit`)."""

    def hit(self, limit: Limit, key: str) -> Verdict: ...

    def guard(self, checks: Sequence[tuple[Limit, str]]) -> WriteGuard:
        """Counter increments that ride in the user turn's write of the
        :class:`ConversationRepository` of the same backend."""
        ...


class SmsStateRepository(Protocol):
    """SMS deliveries, 24 h windows and opt-outs (see :mod:`pierre_rag.sms.store`)."""

    def delivery(self, message_id: str) -> Delivery | None: ...

    def assign(
        self, message_id: str, conversation_id: str, allowance: str = "answer"
    ) -> Delivery: ...

    def claim(self, message_id: str, lease_s: int) -> bool: ...

    def finish(self, message_id: str, status: str, **details: str | int) -> None: ...

    def release(self, message_id: str, error: str) -> None: ...

    def conversation_for(self, landlord: str, phone_hash: str, received_ms: int) -> str: ...

    def record_opt_out(self, landlord: str, phone_hash: str, at_ms: int) -> None: ...

    def opted_out_ms(self, landlord: str, phone_hash: str) -> int | None: ...


class ValidatedAnswerRepository(Protocol):
    """A landlord's validated answers (see :mod:`pierre_rag.review.validated`)."""

    def add(self, answer: ValidatedAnswer) -> None: ...

    def of_landlord(self, landlord: str) -> list[ValidatedAnswer]: ...

    def delete(self, landlord: str, answer_id: str) -> bool: ...


class HandledMarkRepository(Protocol):
    """The backlog items a landlord's staff marked handled (:mod:`pierre_rag.review.handled`)."""

    def mark(self, landlord: str, marks: Iterable[HandledMark], *, expires_at: int) -> int: ...

    def handled(self, landlord: str) -> set[str]: ...
