"""In-memory repositories keeping the DynamoDB implementations' contract.

Same conditional writes and refusals (a message received twice, a conversation of another
landlord, an address with an account, a held SMS lease), same order and paging, same rate
limits riding in the user turn's write; no TTL (nothing expires). The contract tests run the
same cases against these and DynamoDB Local. For unit tests and benchmarks: a process's
memory is not shared between Lambda containers, so never use them to serve.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.users import DuplicateUserError, User, UserNotFoundError, normalise_email
from pierre_rag.channel import Channel
from pierre_rag.conversations import (
    LATENCY_WINDOW,
    SMS_SENDER_ATTRIBUTE,
    AnswerReview,
    ConversationMeta,
    ConversationMismatchError,
    ConversationNotFoundError,
    DuplicateMessageError,
    GuardRefusedError,
    Turn,
    WriteGuard,
    day_cursor,
    preview,
)
from pierre_rag.data_requests import DataRequestRecord
from pierre_rag.ratelimit import Limit, Verdict
from pierre_rag.review.handled import HandledMark
from pierre_rag.review.validated import (
    MAX_VALIDATED_ANSWERS,
    ValidatedAnswer,
    ValidatedAnswerExistsError,
)
from pierre_rag.sms.store import Delivery, DeliveryInProgressError
from pierre_rag.sms.windowing import Window, next_window

Clock = Callable[[], float]


def _day(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%Y-%m-%d")


def _day_position(meta: ConversationMeta) -> str:
    """The order of the by-day index (its sort key): creation time, then id."""
    return f"{meta.created_ms:013d}#{meta.conversation_id}"


# ---------------------------------------------------------------------- rate limits
class MemoryRateLimits:
    """:class:`~pierre_rag.storage.ports.RateLimitRepository` in memory."""

    def __init__(self, clock: Clock = time.time) -> None:
        self.clock = clock
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    def hit(self, limit: Limit, key: str) -> Verdict:
        now = int(self.clock())
        with self.lock:
            self.hits[limit.counter_key(key, now)] += 1
            hits = self.hits[limit.counter_key(key, now)]
        return Verdict(hits <= limit.max_hits, limit, hits, max(1, limit.window_end(now) - now))

    def guard(self, checks: Sequence[tuple[Limit, str]]) -> MemoryRateLimitGuard:
        return MemoryRateLimitGuard(self, tuple(checks), int(self.clock()))


@dataclass(frozen=True)
class MemoryRateLimitGuard:
    """Counter increments that ride in a :class:`MemoryConversations` user-turn write."""

    limits: MemoryRateLimits
    checks: tuple[tuple[Limit, str], ...]
    now: int
    items: tuple[dict[str, Any], ...] = ()  # no DynamoDB items: it rides in memory only

    def refusal(self, reasons: Sequence[Mapping[str, Any]]) -> Verdict | None:
        return None  # never part of a DynamoDB transaction

    def refused(self) -> Verdict | None:
        """The first exceeded limit, or None (the caller holds :attr:`limits`' lock)."""
        for limit, key in self.checks:
            if self.limits.hits[limit.counter_key(key, self.now)] >= limit.max_hits:
                return Verdict(False, limit, limit.max_hits, limit.window_end(self.now) - self.now)
        return None

    def commit(self) -> None:
        for limit, key in self.checks:
            self.limits.hits[limit.counter_key(key, self.now)] += 1


# ---------------------------------------------------------------------- conversations
@dataclass
class _Conversation:
    meta: ConversationMeta
    turns: dict[str, Turn] = field(default_factory=dict)  # by sort key
    receipts: set[str] = field(default_factory=set)  # message ids
    reviews: dict[str, AnswerReview] = field(default_factory=dict)  # by message id


class MemoryConversations:
    """:class:`~pierre_rag.storage.ports.ConversationRepository` in memory."""

    def __init__(self, latency_window: int = LATENCY_WINDOW) -> None:
        self.latency_window = latency_window
        self.conversations: dict[str, _Conversation] = {}
        self.lock = threading.RLock()

    # ------------------------------------------------------------------ writes
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
    ) -> None:
        if guard is not None and not isinstance(guard, MemoryRateLimitGuard):
            raise TypeError("only a MemoryRateLimitGuard rides in an in-memory write")
        with self.lock:
            stored = self.conversations.get(conversation_id)
            if stored is not None and (stored.meta.landlord, stored.meta.context) != (
                landlord,
                context,
            ):
                raise ConversationMismatchError(
                    "this conversation belongs to another landlord or context"
                )
            if stored is not None and turn.message_id in stored.receipts:
                question, answer = self.exchange(conversation_id, turn.message_id)
                raise DuplicateMessageError(answer, question)
            if guard is not None:
                self._pass_guard(guard)
            if stored is None:
                meta = ConversationMeta(
                    conversation_id, landlord, context, channel, turn.created_ms, turn.created_ms
                )
                meta.sms_sender = (extra_meta or {}).get(SMS_SENDER_ATTRIBUTE)
                stored = self.conversations[conversation_id] = _Conversation(meta)
            if stored.meta.first_question is None:
                stored.meta.first_question = preview(turn.content)
            stored.meta.last_ms = turn.created_ms
            stored.meta.turn_count += 1
            stored.turns[turn.sort_key] = copy.deepcopy(turn)
            stored.receipts.add(turn.message_id)

    @staticmethod
    def _pass_guard(guard: MemoryRateLimitGuard) -> None:
        with guard.limits.lock:
            refusal = guard.refused()
            if refusal is not None:
                raise GuardRefusedError(refusal)
            guard.commit()

    def record_answer(self, conversation_id: str, answer: Turn, retention_days: int) -> None:
        with self.lock:
            stored = self.conversations.get(conversation_id)
            if stored is None or answer.message_id not in stored.receipts:
                raise ConversationNotFoundError(
                    f"message {answer.message_id} was never received in {conversation_id}"
                )
            stored.turns[answer.sort_key] = copy.deepcopy(answer)
            meta = stored.meta
            meta.last_ms = answer.created_ms
            meta.turn_count += 1
            outcome = answer.outcome or "answered"
            meta.outcomes[outcome] = meta.outcomes.get(outcome, 0) + 1
            for signal in answer.signals:
                meta.signals[signal] = meta.signals.get(signal, 0) + 1
            meta.tokens += answer.prompt_tokens + answer.completion_tokens
            meta.cost_usd += answer.cost_usd
            for source in answer.sources:
                file = source.get("file") or source.get("title") or "?"
                meta.source_uses[file] = meta.source_uses.get(file, 0) + 1
            meta.latencies_ms.append(float(answer.latency_ms.get("total", 0.0)))
            kept = len(meta.latencies_ms)
            if kept > self.latency_window + self.latency_window // 4:
                del meta.latencies_ms[: kept - self.latency_window]

    def set_customer_score(self, conversation_id: str, score: int, comment: str | None) -> None:
        self._set_meta(conversation_id, customer_score=score, customer_comment=comment)

    def set_organisation_score(self, conversation_id: str, score: int, comment: str | None) -> None:
        self._set_meta(conversation_id, organisation_score=score, organisation_comment=comment)

    def _set_meta(self, conversation_id: str, **values: Any) -> None:
        with self.lock:
            stored = self.conversations.get(conversation_id)
            if stored is None:
                raise ConversationNotFoundError(conversation_id)
            stored.meta = replace(stored.meta, **values)

    def set_answer_review(
        self, conversation_id: str, review: AnswerReview, *, landlord: str, retention_days: int
    ) -> None:
        with self.lock:
            stored = self.conversations.get(conversation_id)
            if stored is not None and stored.meta.landlord != landlord:
                raise ConversationMismatchError("this conversation belongs to another landlord")
            if stored is None or review.message_id not in stored.receipts:
                raise ConversationNotFoundError(
                    f"message {review.message_id} was never received in {conversation_id}"
                )
            stored.reviews[review.message_id] = review
            stored.meta.answer_scores[review.message_id] = review.score

    def delete(self, conversation_id: str) -> int:
        with self.lock:
            stored = self.conversations.pop(conversation_id, None)
        if stored is None:
            return 0
        return 1 + len(stored.turns) + len(stored.receipts) + len(stored.reviews)

    # ------------------------------------------------------------------ reads
    def get_meta(self, conversation_id: str) -> ConversationMeta | None:
        with self.lock:
            stored = self.conversations.get(conversation_id)
            return copy.deepcopy(stored.meta) if stored else None

    def all_turns(self, conversation_id: str) -> list[Turn]:
        with self.lock:
            stored = self.conversations.get(conversation_id)
            if stored is None:
                return []
            return [copy.deepcopy(stored.turns[key]) for key in sorted(stored.turns)]

    def last_turns(self, conversation_id: str, limit: int = 10) -> list[Turn]:
        return self.all_turns(conversation_id)[-limit:]

    def answer_reviews(self, conversation_id: str) -> dict[str, AnswerReview]:
        with self.lock:
            stored = self.conversations.get(conversation_id)
            return dict(sorted(stored.reviews.items())) if stored else {}

    def answer_to(self, conversation_id: str, message_id: str) -> Turn | None:
        return self.exchange(conversation_id, message_id)[1]

    def exchange(self, conversation_id: str, message_id: str) -> tuple[Turn | None, Turn | None]:
        turns = [t for t in self.all_turns(conversation_id) if t.message_id == message_id]
        question = next((t for t in turns if t.role == "user"), None)
        answer = next((t for t in reversed(turns) if t.role == "assistant"), None)
        return question, answer

    def conversations_of_day(
        self, landlord: str, day: str, *, limit: int = 50, after: str = ""
    ) -> tuple[list[ConversationMeta], str]:
        with self.lock:
            metas = [
                copy.deepcopy(stored.meta)
                for stored in self.conversations.values()
                if stored.meta.landlord == landlord and _day(stored.meta.created_ms) == day
            ]
        metas.sort(key=_day_position, reverse=True)
        if after:
            created, _, conversation_id = after.partition(":")
            metas = [meta for meta in metas if _day_position(meta) < f"{created}#{conversation_id}"]
        page = metas[:limit]
        # Like DynamoDB: a full page has a cursor, even when nothing follows it.
        return page, day_cursor(page[-1]) if page and len(page) == limit else ""

    def conversations_of_sms_sender(self, landlord: str, phone_hash: str) -> list[ConversationMeta]:
        with self.lock:
            metas = [
                copy.deepcopy(stored.meta)
                for stored in self.conversations.values()
                if (stored.meta.landlord, stored.meta.sms_sender) == (landlord, phone_hash)
            ]
        return sorted(metas, key=lambda meta: (meta.created_ms, meta.conversation_id), reverse=True)


# ---------------------------------------------------------------------- data-request audit
class MemoryDataRequestLog:
    """:class:`~pierre_rag.storage.ports.DataRequestLogRepository` in memory."""

    def __init__(self) -> None:
        self.entries: list[DataRequestRecord] = []
        self.lock = threading.Lock()

    def record(self, entry: DataRequestRecord) -> None:
        with self.lock:
            self.entries.append(entry)

    def latest(self, landlord: str, limit: int = 20) -> list[DataRequestRecord]:
        with self.lock:
            # newest first; of one millisecond, the last recorded first (the store's random
            # suffix orders those arbitrarily: callers must not rely on it)
            ours = [entry for entry in reversed(self.entries) if entry.landlord == landlord]
        return sorted(ours, key=lambda entry: entry.at_ms, reverse=True)[:limit]


# ---------------------------------------------------------------------- users
class MemoryUsers:
    """:class:`~pierre_rag.storage.ports.UserRepository` in memory."""

    def __init__(self) -> None:
        self.accounts: dict[tuple[str, str], User] = {}
        self.logins: dict[str, str] = {}  # address → landlord
        self.lock = threading.Lock()

    def landlord_of(self, email: str) -> str | None:
        return self.logins.get(normalise_email(email))

    def get(self, landlord: str, email: str) -> User | None:
        return self.accounts.get((landlord, normalise_email(email)))

    def list(self, landlord: str) -> list[User]:
        users = [user for (owner, _), user in self.accounts.items() if owner == landlord]
        return sorted(users, key=lambda user: user.email)

    def has_users(self, landlord: str) -> bool:
        return any(owner == landlord for owner, _ in self.accounts)

    def create(
        self,
        landlord: str,
        email: str,
        role: StaffRole,
        password_hash: str,
        *,
        name: str = "",
        must_change_password: bool = True,
    ) -> User:
        email = normalise_email(email)
        now = int(time.time() * 1000)
        epoch = secrets.randbelow(2**53)
        user = User(
            email, landlord, role, name, password_hash, must_change_password, now, now, epoch
        )
        with self.lock:
            if email in self.logins or (landlord, email) in self.accounts:
                raise DuplicateUserError(email)
            self.accounts[(landlord, email)] = user
            self.logins[email] = landlord
        return user

    def set_role(self, landlord: str, email: str, role: StaffRole) -> None:
        self._update(landlord, email, role=role)

    def end_sessions(self, landlord: str, email: str) -> None:
        self._update(landlord, email)

    def set_password(
        self, landlord: str, email: str, password_hash: str, *, must_change_password: bool
    ) -> None:
        self._update(
            landlord, email, password_hash=password_hash, must_change_password=must_change_password
        )

    def _update(self, landlord: str, email: str, **values: Any) -> None:
        key = (landlord, normalise_email(email))
        with self.lock:
            user = self.accounts.get(key)
            if user is None:
                raise UserNotFoundError(email)
            self.accounts[key] = replace(
                user,
                **values,
                updated_ms=int(time.time() * 1000),
                session_epoch=user.session_epoch + 1,
            )

    def delete(self, landlord: str, email: str) -> None:
        email = normalise_email(email)
        with self.lock:
            if self.accounts.pop((landlord, email), None) is None:
                raise UserNotFoundError(email)
            self.logins.pop(email, None)


# ---------------------------------------------------------------------- SMS state
class MemorySmsState:
    """:class:`~pierre_rag.storage.ports.SmsStateRepository` in memory."""

    def __init__(self, clock: Clock = time.time) -> None:
        self.clock = clock
        self.deliveries: dict[str, dict[str, Any]] = {}
        self.windows: dict[tuple[str, str], Window] = {}
        self.opt_outs: dict[tuple[str, str], int] = {}
        self.lock = threading.Lock()

    def delivery(self, message_id: str) -> Delivery | None:
        record = self.deliveries.get(message_id)
        if record is None:
            return None
        return Delivery(
            message_id=message_id,
            conversation_id=record["conversation_id"],
            status=record["status"],
            lease_until=int(record.get("lease_until", 0)),
            error=record.get("error"),
            allowance=record.get("allowance", "answer"),
        )

    def assign(self, message_id: str, conversation_id: str, allowance: str = "answer") -> Delivery:
        with self.lock:
            if message_id not in self.deliveries:
                self.deliveries[message_id] = {
                    "conversation_id": conversation_id,
                    "status": "assigned",
                    "allowance": allowance,
                }
        delivery = self.delivery(message_id)
        assert delivery is not None
        return delivery

    def claim(self, message_id: str, lease_s: int) -> bool:
        now = int(self.clock())
        with self.lock:
            record = self.deliveries.get(message_id)
            free = record is not None and record.get("lease_until", now - 1) < now
            if record is not None and record["status"] in ("assigned", "sending") and free:
                record.update(status="sending", lease_until=now + lease_s)
                record["attempts"] = record.get("attempts", 0) + 1
                return True
        if record is not None and record["status"] == "sending":
            raise DeliveryInProgressError(message_id)
        return False

    def finish(self, message_id: str, status: str, **details: str | int) -> None:
        with self.lock:
            record = self.deliveries.setdefault(message_id, {})
            record.update(details, status=status, finished_ms=int(self.clock() * 1000))
            record.pop("lease_until", None)

    def release(self, message_id: str, error: str) -> None:
        """Like DynamoDB's, refuses a record that is not being sent (DynamoDB raises its
        ``ConditionalCheckFailedException``; no caller releases a lease it does not hold)."""
        with self.lock:
            record = self.deliveries.get(message_id)
            if record is None or record.get("status") != "sending":
                raise DeliveryInProgressError(f"{message_id} is not being sent")
            record.update(status="assigned", error=error[:500])
            record.pop("lease_until", None)

    def conversation_for(self, landlord: str, phone_hash: str, received_ms: int) -> str:
        with self.lock:
            current = self.windows.get((landlord, phone_hash))
            opened = next_window(current, received_ms)
            if opened is None:
                assert current is not None
                return current.conversation_id
            self.windows[(landlord, phone_hash)] = opened
            return opened.conversation_id

    def record_opt_out(self, landlord: str, phone_hash: str, at_ms: int) -> None:
        with self.lock:
            if self.opt_outs.get((landlord, phone_hash), at_ms - 1) < at_ms:
                self.opt_outs[(landlord, phone_hash)] = at_ms

    def opted_out_ms(self, landlord: str, phone_hash: str) -> int | None:
        return self.opt_outs.get((landlord, phone_hash))


# ---------------------------------------------------------------------- review
class MemoryValidatedAnswers:
    """:class:`~pierre_rag.storage.ports.ValidatedAnswerRepository` in memory."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], ValidatedAnswer] = {}

    def add(self, answer: ValidatedAnswer) -> None:
        key = (answer.landlord, answer.answer_id)
        if key in self.answers:
            raise ValidatedAnswerExistsError(answer.answer_id)
        self.answers[key] = answer

    def of_landlord(self, landlord: str) -> list[ValidatedAnswer]:
        ids = sorted(answer_id for owner, answer_id in self.answers if owner == landlord)
        return [self.answers[(landlord, answer_id)] for answer_id in ids][:MAX_VALIDATED_ANSWERS]

    def delete(self, landlord: str, answer_id: str) -> bool:
        return self.answers.pop((landlord, answer_id), None) is not None


class MemoryHandledMarks:
    """:class:`~pierre_rag.storage.ports.HandledMarkRepository` in memory (nothing expires)."""

    def __init__(self) -> None:
        self.marks: dict[tuple[str, str], HandledMark] = {}

    def mark(self, landlord: str, marks: Iterable[HandledMark], *, expires_at: int) -> int:
        added = 0
        for handled in marks:
            if (landlord, handled.key) not in self.marks:
                self.marks[(landlord, handled.key)] = handled
                added += 1
        return added

    def handled(self, landlord: str) -> set[str]:
        return {key for owner, key in self.marks if owner == landlord}
