"""The storage contract: every case runs against the in-memory repositories and DynamoDB
Local, so the fakes the unit tests use cannot drift from the stores that serve.

The last tests (DynamoDB only) pin the stored key formats: deployed tables hold data, and a
renamed prefix would orphan it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from pierre_local.resources import LocalResources
from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.users import DuplicateUserError, UserNotFoundError, UserStore
from pierre_rag.conversations import (
    AnswerReview,
    ConversationMismatchError,
    ConversationNotFoundError,
    ConversationStore,
    DuplicateMessageError,
    GuardRefusedError,
    Turn,
)
from pierre_rag.data_requests import (
    DataRequestAction,
    DataRequestLog,
    DataRequestRecord,
    DataSubject,
    erase,
    find_conversations,
)
from pierre_rag.ratelimit import Limit, RateLimiter, Verdict
from pierre_rag.sms.store import DeliveryInProgressError, SmsStateStore
from pierre_rag.sms.windowing import WINDOW_MS
from pierre_rag.storage.items import from_item
from pierre_rag.storage.memory import (
    MemoryConversations,
    MemoryDataRequestLog,
    MemoryRateLimits,
    MemorySmsState,
    MemoryUsers,
)
from pierre_rag.storage.ports import (
    ConversationRepository,
    DataRequestLogRepository,
    RateLimitRepository,
    SmsStateRepository,
    UserRepository,
)

LANDLORD = "exemple-hlm.fr"
OTHER_LANDLORD = "autre-hlm.fr"
DAY = "2026-11-25"
DAY_START_MS = 1_795_564_800_000  # 2026-11-25T00:00:00Z
WINDOW_START_S = 1_800_000_000 // 3600 * 3600
LATENCY_WINDOW = 4


@dataclass
class Backend:
    conversations: ConversationRepository
    users: UserRepository
    limits: RateLimitRepository
    sms: SmsStateRepository
    audit: DataRequestLogRepository


def _fixed_clock() -> float:
    return WINDOW_START_S + 1


def _memory() -> Backend:
    return Backend(
        MemoryConversations(latency_window=LATENCY_WINDOW),
        MemoryUsers(),
        MemoryRateLimits(clock=_fixed_clock),
        MemorySmsState(),
        MemoryDataRequestLog(),
    )


def _dynamodb(client: Any) -> Backend:
    table: Callable[[str], str] = LocalResources.physical_name
    return Backend(
        ConversationStore(client, table("ConversationsTable"), latency_window=LATENCY_WINDOW),
        UserStore(client, table("UsersTable")),
        RateLimiter(client, table("RateLimitsTable"), clock=_fixed_clock),
        SmsStateStore(client, table("IdempotencyTable"), table("ConversationsTable")),
        DataRequestLog(client, table("ConversationsTable")),
    )


@pytest.fixture(params=["memory", "dynamodb"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "memory":
        return _memory()
    return _dynamodb(request.getfixturevalue("dynamodb"))


def _ask(
    store: ConversationRepository,
    conversation: str = "c1",
    message: str = "m1",
    at: int = DAY_START_MS + 1_000,
    landlord: str = LANDLORD,
    guard: Any = None,
    sms_sender: str | None = None,
) -> Turn:
    turn = Turn("user", f"question {message}", message, at)
    store.record_user_turn(
        conversation,
        turn,
        landlord=landlord,
        context="default",
        channel="web" if sms_sender is None else "sms",
        retention_days=30,
        # as the SMS worker writes it
        extra_meta=None if sms_sender is None else {"sms_from": sms_sender, "sms_to": "+33100"},
        guard=guard,
    )
    return turn


def _answer(
    store: ConversationRepository, question: Turn, conversation: str = "c1", total_ms: float = 5.0
) -> Turn:
    answer = Turn(
        "assistant",
        f"réponse {question.message_id}",
        question.message_id,
        question.created_ms + 5,
        sources=[{"file": "a.md", "heading": "H"}, {"title": "Sans fichier"}],
        outcome="answered",
        prompt_tokens=10,
        completion_tokens=5,
        latency_ms={"total": total_ms},
        cost_usd=0.5,
    )
    store.record_answer(conversation, answer, retention_days=30)
    return answer


# ---------------------------------------------------------------------- conversations
def test_a_message_received_twice_is_stored_once(backend: Backend) -> None:
    # Given a question received, then answered
    store = backend.conversations
    question = _ask(store)

    # when the same message comes again before and after its answer
    with pytest.raises(DuplicateMessageError) as before:
        _ask(store)
    answer = _answer(store, question)
    with pytest.raises(DuplicateMessageError) as after:
        _ask(store)

    # then the turn is stored once, and the refusals carry what is stored
    assert before.value.question == question and before.value.answer is None
    assert after.value.answer == answer
    assert store.all_turns("c1") == [question, answer]
    meta = store.get_meta("c1")
    assert meta is not None and meta.turn_count == 2


def test_a_conversation_of_another_landlord_is_refused(backend: Backend) -> None:
    # Given a conversation of one landlord
    _ask(backend.conversations)

    # when another landlord writes to the same id, then it is refused and nothing is stored
    with pytest.raises(ConversationMismatchError):
        _ask(backend.conversations, message="m2", landlord=OTHER_LANDLORD)
    assert [turn.message_id for turn in backend.conversations.all_turns("c1")] == ["m1"]


def test_an_answer_to_a_message_never_received_is_refused(backend: Backend) -> None:
    # Given a conversation with one question
    question = _ask(backend.conversations)

    # when an answer comes for a message that was never received, then nothing is stored
    stray = Turn("user", "?", "never", question.created_ms)
    with pytest.raises(ConversationNotFoundError):
        _answer(backend.conversations, stray)
    with pytest.raises(ConversationNotFoundError):
        _answer(backend.conversations, stray, conversation="unknown")
    assert backend.conversations.all_turns("c1") == [question]


def test_answers_add_to_the_conversation_counters(backend: Backend) -> None:
    # Given two answered questions
    store = backend.conversations
    first = _ask(store)
    _answer(store, first, total_ms=7.5)
    second = _ask(store, message="m2", at=first.created_ms + 60_000)
    last = _answer(store, second, total_ms=12.0)

    # when the conversation's META is read
    meta = store.get_meta("c1")

    # then it counts turns, outcomes, tokens, cost, cited sources and latencies
    assert meta is not None
    assert (meta.landlord, meta.context, meta.channel) == (LANDLORD, "default", "web")
    assert (meta.created_ms, meta.last_ms) == (first.created_ms, last.created_ms)
    assert meta.turn_count == 4
    assert meta.outcomes == {"answered": 2}
    assert meta.tokens == 30
    assert meta.cost_usd == pytest.approx(1.0)
    assert meta.source_uses == {"a.md": 2, "Sans fichier": 2}
    assert meta.latencies_ms == [7.5, 12.0]


def test_only_the_latest_latencies_are_kept(backend: Backend) -> None:
    # Given more answers than the latency window and a quarter
    store = backend.conversations
    for index in range(LATENCY_WINDOW + LATENCY_WINDOW // 4 + 1):
        question = _ask(store, message=f"m{index}", at=DAY_START_MS + index * 1_000)
        _answer(store, question, total_ms=float(index))

    # when META is read, then the oldest latencies are dropped
    meta = store.get_meta("c1")
    assert meta is not None
    assert meta.latencies_ms == [2.0, 3.0, 4.0, 5.0]


def test_turns_are_read_in_order_and_by_message(backend: Backend) -> None:
    # Given three questions, two of them answered
    store = backend.conversations
    turns: list[Turn] = []
    for index in range(3):
        question = _ask(store, message=f"m{index}", at=DAY_START_MS + index * 1_000)
        turns.append(question)
        if index < 2:
            turns.append(_answer(store, question))

    # when turns are read, then they come oldest first, the last ones, or by message id
    assert store.all_turns("c1") == turns
    assert store.last_turns("c1", limit=2) == turns[-2:]
    assert store.exchange("c1", "m1") == (turns[2], turns[3])
    assert store.exchange("c1", "m2") == (turns[4], None)
    assert store.answer_to("c1", "m0") == turns[1]
    assert store.all_turns("unknown") == []


def test_scores_are_set_and_cleared(backend: Backend) -> None:
    # Given a conversation scored by its visitor and by staff
    store = backend.conversations
    _ask(store)
    store.set_customer_score("c1", -1, "pas clair")
    store.set_organisation_score("c1", 3, "bien")

    # when staff clear their comment
    store.set_organisation_score("c1", 2, None)

    # then META carries the scores and no comment
    meta = store.get_meta("c1")
    assert meta is not None
    assert (meta.customer_score, meta.customer_comment) == (-1, "pas clair")
    assert (meta.organisation_score, meta.organisation_comment) == (2, None)
    with pytest.raises(ConversationNotFoundError):
        store.set_customer_score("unknown", 1, None)


def _review(message: str, score: int, comment: str | None = None) -> AnswerReview:
    return AnswerReview(message, score, comment, "relecteur@exemple-hlm.fr", DAY_START_MS + 9_000)


def test_answers_are_reviewed_one_by_one(backend: Backend) -> None:
    # Given a conversation of two answered questions
    store = backend.conversations
    _answer(store, _ask(store, message="m1"))
    _answer(store, _ask(store, message="m2", at=DAY_START_MS + 2_000))

    # when staff score each answer, then score the first again
    for review in (_review("m1", 1, "source périmée"), _review("m2", 3), _review("m1", 0)):
        store.set_answer_review("c1", review, landlord=LANDLORD, retention_days=30)

    # then each answer has its latest review, and META (what the list reads) its scores
    reviews = store.answer_reviews("c1")
    assert reviews == {"m1": _review("m1", 0), "m2": _review("m2", 3)}
    meta = store.conversations_of_day(LANDLORD, DAY)[0][0]
    assert meta.answer_scores == {"m1": 0, "m2": 3}
    assert meta.lowest_answer_score == 0
    assert meta.first_question == "question m1"
    # and erasure takes the reviews with the rest (META, 4 turns, 2 receipts, 2 reviews)
    assert store.delete("c1") == 9
    assert store.answer_reviews("c1") == {}


def test_staff_of_another_landlord_can_never_review(backend: Backend) -> None:
    # Given an answered conversation of one landlord
    store = backend.conversations
    _answer(store, _ask(store))

    # when staff of another landlord score its answer, then the store refuses and keeps nothing
    with pytest.raises(ConversationMismatchError):
        store.set_answer_review("c1", _review("m1", 0), landlord=OTHER_LANDLORD, retention_days=30)
    assert store.answer_reviews("c1") == {}
    meta = store.get_meta("c1")
    assert meta is not None
    assert meta.answer_scores == {}
    assert meta.lowest_answer_score is None
    # and a message the conversation never received, or no conversation, is not found
    with pytest.raises(ConversationNotFoundError):
        store.set_answer_review("c1", _review("m9", 2), landlord=LANDLORD, retention_days=30)
    with pytest.raises(ConversationNotFoundError):
        store.set_answer_review("c9", _review("m1", 2), landlord=LANDLORD, retention_days=30)


def test_a_deleted_conversation_is_gone(backend: Backend) -> None:
    # Given an answered conversation (META, two turns, one receipt)
    store = backend.conversations
    _answer(store, _ask(store))

    # when it is deleted, then every item goes and it reads as absent
    assert store.delete("c1") == 4
    assert store.get_meta("c1") is None
    assert store.all_turns("c1") == []
    assert store.conversations_of_day(LANDLORD, DAY)[0] == []


def test_a_day_is_listed_newest_first_page_by_page(backend: Backend) -> None:
    # Given five conversations of a landlord that day, one the day before, one of another
    store = backend.conversations
    for index in range(5):
        _ask(store, conversation=f"c{index}", at=DAY_START_MS + index * 1_000)
    _ask(store, conversation="yesterday", at=DAY_START_MS - 1_000)
    _ask(store, conversation="other", at=DAY_START_MS + 9_000, landlord=OTHER_LANDLORD)

    # when the day is walked two at a time
    pages: list[list[str]] = []
    after = ""
    for _ in range(5):
        metas, after = store.conversations_of_day(LANDLORD, DAY, limit=2, after=after)
        pages.append([meta.conversation_id for meta in metas])
        if not after:
            break

    # then each of that landlord's conversations of that day comes once, newest first
    assert [cid for page in pages for cid in page] == ["c4", "c3", "c2", "c1", "c0"]
    assert pages[:3] == [["c4", "c3"], ["c2", "c1"], ["c0"]]


def test_a_cursor_cannot_reach_another_landlord(backend: Backend) -> None:
    # Given conversations of two landlords the same day
    store = backend.conversations
    _ask(store, conversation="mine", at=DAY_START_MS + 1_000)
    _ask(store, conversation="theirs", at=DAY_START_MS + 2_000, landlord=OTHER_LANDLORD)

    # when a cursor naming the other landlord's conversation is passed
    metas, _ = store.conversations_of_day(
        LANDLORD, DAY, after=f"{DAY_START_MS + 3_000:013d}:theirs"
    )

    # then only the landlord's own conversations come back
    assert [meta.conversation_id for meta in metas] == ["mine"]


def test_rate_limits_ride_in_the_user_turn_write(backend: Backend) -> None:
    # Given a limit of two messages per window
    limit = Limit("ip", max_hits=2, window_s=3600)
    store, limits = backend.conversations, backend.limits

    # when three messages come from the same address
    _ask(store, message="m1", guard=limits.guard([(limit, "1.2.3.4")]))
    _ask(store, message="m2", guard=limits.guard([(limit, "1.2.3.4")]))
    with pytest.raises(GuardRefusedError) as refused:
        _ask(store, message="m3", guard=limits.guard([(limit, "1.2.3.4")]))

    # then the third is refused with the limit's verdict and not stored
    verdict = refused.value.reason
    assert isinstance(verdict, Verdict)
    assert (verdict.allowed, verdict.limit, verdict.retry_after_s) == (False, limit, 3599)
    assert [turn.message_id for turn in store.all_turns("c1")] == ["m1", "m2"]


def test_a_retried_message_is_answered_whatever_the_limits_say(backend: Backend) -> None:
    # Given a limit already reached by a stored message
    limit = Limit("conversation", max_hits=1, window_s=3600)
    store, limits = backend.conversations, backend.limits
    question = _ask(store, guard=limits.guard([(limit, "c1")]))

    # when the same message is retried, then it is a duplicate, not a refusal
    with pytest.raises(DuplicateMessageError) as duplicate:
        _ask(store, guard=limits.guard([(limit, "c1")]))
    assert duplicate.value.question == question


# ---------------------------------------------------------------------- rate limits
def test_hits_are_counted_in_a_window(backend: Backend) -> None:
    # Given a limit of two hits per hour
    limit = Limit("login", max_hits=2, window_s=3600)

    # when a key hits it three times
    verdicts = [backend.limits.hit(limit, "ana") for _ in range(3)]

    # then the third is refused until the window ends; another key is counted apart
    assert [(v.allowed, v.hits) for v in verdicts] == [(True, 1), (True, 2), (False, 3)]
    assert verdicts[-1].retry_after_s == 3599
    assert backend.limits.hit(limit, "bob").allowed


# ---------------------------------------------------------------------- users
def test_accounts_are_found_by_address_and_listed_by_landlord(backend: Backend) -> None:
    # Given two accounts of a landlord and one of another
    users = backend.users
    users.create(LANDLORD, "Zoe@Exemple-HLM.fr", StaffRole.COLLABORATOR, "h1", name="Zoé")
    users.create(LANDLORD, "ana@exemple-hlm.fr", StaffRole.ADMINISTRATOR, "h2")
    users.create(OTHER_LANDLORD, "bob@autre-hlm.fr", StaffRole.ADMINISTRATOR, "h3")

    # when they are read, then addresses are normalised and accounts stay with their landlord
    assert users.landlord_of(" ZOE@exemple-hlm.fr ") == LANDLORD
    assert users.landlord_of("nobody@exemple-hlm.fr") is None
    assert [user.email for user in users.list(LANDLORD)] == [
        "ana@exemple-hlm.fr",
        "zoe@exemple-hlm.fr",
    ]
    zoe = users.get(LANDLORD, "zoe@exemple-hlm.fr")
    assert zoe is not None
    assert (zoe.role, zoe.name, zoe.password_hash, zoe.must_change_password) == (
        StaffRole.COLLABORATOR,
        "Zoé",
        "h1",
        True,
    )
    assert users.get(OTHER_LANDLORD, "zoe@exemple-hlm.fr") is None
    assert users.has_users(OTHER_LANDLORD) and not users.has_users("vide.fr")


def test_one_address_has_one_account(backend: Backend) -> None:
    # Given an account
    backend.users.create(LANDLORD, "ana@exemple-hlm.fr", StaffRole.ADMINISTRATOR, "h")

    # when the address is added again, at the same landlord or another, then it is refused
    with pytest.raises(DuplicateUserError):
        backend.users.create(LANDLORD, "ANA@exemple-hlm.fr", StaffRole.ADMINISTRATOR, "h")
    with pytest.raises(DuplicateUserError):
        backend.users.create(OTHER_LANDLORD, "ana@exemple-hlm.fr", StaffRole.ADMINISTRATOR, "h")
    assert backend.users.landlord_of("ana@exemple-hlm.fr") == LANDLORD


def test_every_change_ends_the_sessions(backend: Backend) -> None:
    # Given an account
    users = backend.users
    created = users.create(LANDLORD, "ana@exemple-hlm.fr", StaffRole.COLLABORATOR, "h")

    # when its role, password and sessions change
    users.set_role(LANDLORD, "ana@exemple-hlm.fr", StaffRole.ADMINISTRATOR)
    users.set_password(LANDLORD, "ana@exemple-hlm.fr", "h2", must_change_password=False)
    users.end_sessions(LANDLORD, "ana@exemple-hlm.fr")

    # then each one moved the session epoch on, and the changes are kept
    changed = users.get(LANDLORD, "ana@exemple-hlm.fr")
    assert changed is not None
    assert changed.session_epoch == created.session_epoch + 3
    assert (changed.role, changed.password_hash, changed.must_change_password) == (
        StaffRole.ADMINISTRATOR,
        "h2",
        False,
    )
    with pytest.raises(UserNotFoundError):
        users.end_sessions(OTHER_LANDLORD, "ana@exemple-hlm.fr")


def test_a_deleted_account_frees_its_address(backend: Backend) -> None:
    # Given a deleted account
    users = backend.users
    users.create(LANDLORD, "ana@exemple-hlm.fr", StaffRole.ADMINISTRATOR, "h")
    users.delete(LANDLORD, "ana@exemple-hlm.fr")

    # then it is gone, deleting it again fails, and another landlord may take the address
    assert users.get(LANDLORD, "ana@exemple-hlm.fr") is None
    with pytest.raises(UserNotFoundError):
        users.delete(LANDLORD, "ana@exemple-hlm.fr")
    users.create(OTHER_LANDLORD, "ana@exemple-hlm.fr", StaffRole.ADMINISTRATOR, "h")
    assert users.landlord_of("ana@exemple-hlm.fr") == OTHER_LANDLORD


# ---------------------------------------------------------------------- SMS state
def test_a_delivery_is_assigned_once_and_sent_once(backend: Backend) -> None:
    # Given a message assigned to a conversation
    sms = backend.sms
    first = sms.assign("sms-1", "conv-a", allowance="notice")

    # when it is assigned again, claimed twice, then sent
    again = sms.assign("sms-1", "conv-b")
    claimed = sms.claim("sms-1", lease_s=60)
    with pytest.raises(DeliveryInProgressError):
        sms.claim("sms-1", lease_s=60)
    sms.finish("sms-1", "sent", parts=2)

    # then the first assignment holds, one claim won, and a sent message is not claimed again
    assert (first.conversation_id, first.status, first.allowance) == (
        "conv-a",
        "assigned",
        "notice",
    )
    assert again == first
    assert claimed
    assert not sms.claim("sms-1", lease_s=60)
    delivery = sms.delivery("sms-1")
    assert delivery is not None
    assert (delivery.status, delivery.lease_until) == ("sent", 0)
    assert sms.delivery("sms-unknown") is None


def test_a_failed_send_gives_the_lease_back(backend: Backend) -> None:
    # Given a claimed message whose send failed
    sms = backend.sms
    sms.assign("sms-1", "conv-a")
    sms.claim("sms-1", lease_s=60)

    # when the lease is released, then another worker may claim it, and the error is kept
    sms.release("sms-1", "CM answered 503")
    delivery = sms.delivery("sms-1")
    assert delivery is not None
    assert (delivery.status, delivery.error) == ("assigned", "CM answered 503")
    assert sms.claim("sms-1", lease_s=60)


def test_a_number_keeps_its_conversation_for_a_day(backend: Backend) -> None:
    # Given a first message from a number
    sms = backend.sms
    first = sms.conversation_for(LANDLORD, "hash-1", DAY_START_MS)

    # when more messages come within the window and after it
    same = sms.conversation_for(LANDLORD, "hash-1", DAY_START_MS + WINDOW_MS - 1)
    later = sms.conversation_for(LANDLORD, "hash-1", DAY_START_MS + 2 * WINDOW_MS)

    # then the window's conversation is kept, a new one opens after, numbers are apart
    assert same == first
    assert later != first
    assert sms.conversation_for(LANDLORD, "hash-2", DAY_START_MS) not in (first, later)
    assert sms.conversation_for(OTHER_LANDLORD, "hash-1", DAY_START_MS) not in (first, later)


def test_the_latest_opt_out_is_kept(backend: Backend) -> None:
    # Given a number that sent STOP twice, the older one arriving last
    sms = backend.sms
    sms.record_opt_out(LANDLORD, "hash-1", 2_000)
    sms.record_opt_out(LANDLORD, "hash-1", 1_000)

    # then the latest is kept, for that landlord only
    assert sms.opted_out_ms(LANDLORD, "hash-1") == 2_000
    assert sms.opted_out_ms(OTHER_LANDLORD, "hash-1") is None


# ---------------------------------------------------------------------- data requests
def test_an_sms_numbers_conversations_are_found_at_its_landlord_only(backend: Backend) -> None:
    # Given two SMS conversations of one number, one of another number, a web conversation
    # and the same number's conversation at another landlord
    store = backend.conversations
    _ask(store, "sms-old", "m1", at=DAY_START_MS + 1_000, sms_sender="tel_a")
    _ask(store, "sms-new", "m2", at=DAY_START_MS + 9_000, sms_sender="tel_a")
    _ask(store, "sms-b", "m3", sms_sender="tel_b")
    _ask(store, "web", "m4")
    _ask(store, "theirs", "m5", landlord=OTHER_LANDLORD, sms_sender="tel_a")

    # when the number's conversations are looked up at each landlord
    ours = store.conversations_of_sms_sender(LANDLORD, "tel_a")
    theirs = store.conversations_of_sms_sender(OTHER_LANDLORD, "tel_a")

    # then each landlord finds its own, newest first, carrying the sender's hash
    assert [meta.conversation_id for meta in ours] == ["sms-new", "sms-old"]
    assert {meta.sms_sender for meta in ours} == {"tel_a"}
    assert [meta.conversation_id for meta in theirs] == ["theirs"]
    assert store.conversations_of_sms_sender(LANDLORD, "tel_unknown") == []


def test_a_data_request_erases_every_item_of_the_subjects_conversations(
    backend: Backend,
) -> None:
    # Given a number's answered, reviewed and rated conversation, and another number's
    store = backend.conversations
    _answer(store, _ask(store, "sms-1", "m1", sms_sender="tel_a"), conversation="sms-1")
    store.set_answer_review("sms-1", _review("m1", 1), landlord=LANDLORD, retention_days=30)
    store.set_customer_score("sms-1", -1, "pas clair")
    _ask(store, "sms-2", "m2", sms_sender="tel_b")
    subject = DataSubject("phone", "tel_a")

    # when another landlord's staff tries, then the landlord's own erases it
    assert find_conversations(store, OTHER_LANDLORD, subject) == []
    erased = erase(store, find_conversations(store, LANDLORD, subject), LANDLORD)

    # then it is gone with its review and feedback, the other number's is kept
    assert erased == 1
    assert store.get_meta("sms-1") is None
    assert store.all_turns("sms-1") == []
    assert store.answer_reviews("sms-1") == {}
    assert store.conversations_of_sms_sender(LANDLORD, "tel_a") == []
    assert store.get_meta("sms-2") is not None


def test_a_conversation_id_finds_that_conversation_at_its_landlord_only(backend: Backend) -> None:
    # Given a web conversation
    store = backend.conversations
    _ask(store, "web-1", "m1")

    # when it is looked up by its id at each landlord, then only its own landlord finds it
    found = find_conversations(store, LANDLORD, DataSubject("conversation", "web-1"))
    assert [meta.conversation_id for meta in found] == ["web-1"]
    assert find_conversations(store, OTHER_LANDLORD, DataSubject("conversation", "web-1")) == []
    assert find_conversations(store, LANDLORD, DataSubject("conversation", "nope")) == []


def test_the_data_request_audit_lists_a_landlords_latest_first(backend: Backend) -> None:
    # Given three audited actions at one landlord and one at another
    audit = backend.audit
    phone = DataSubject("phone", "tel_a")
    actions: list[tuple[int, DataRequestAction]] = [
        (1_000, "search"),
        (2_000, "export"),
        (3_000, "delete"),
    ]
    for at_ms, action in actions:
        audit.record(DataRequestRecord(LANDLORD, at_ms, "ana@exemple-hlm.fr", action, phone, 2))
    audit.record(DataRequestRecord(OTHER_LANDLORD, 4_000, "bob@autre-hlm.fr", "search", phone, 0))

    # when each landlord's latest are read
    ours = audit.latest(LANDLORD, limit=2)

    # then they come newest first, limited, with what was recorded
    assert [(entry.at_ms, entry.action) for entry in ours] == [(3_000, "delete"), (2_000, "export")]
    assert ours[0] == DataRequestRecord(LANDLORD, 3_000, "ana@exemple-hlm.fr", "delete", phone, 2)
    assert [entry.actor for entry in audit.latest(OTHER_LANDLORD)] == ["bob@autre-hlm.fr"]


# ---------------------------------------------------------------------- stored formats
def _items(client: Any, logical_id: str) -> list[dict[str, Any]]:
    table = LocalResources.physical_name(logical_id)
    return [from_item(item) for item in client.scan(TableName=table)["Items"]]


def test_conversation_keys_keep_their_stored_format(dynamodb: Any) -> None:
    # Given an answered conversation stored in DynamoDB
    store = _dynamodb(dynamodb).conversations
    _answer(store, _ask(store, at=DAY_START_MS + 1_000))
    store.set_answer_review("c1", _review("m1", 2), landlord=LANDLORD, retention_days=30)

    # when its raw items are read
    keys = {(item["pk"], item["sk"]) for item in _items(dynamodb, "ConversationsTable")}
    meta = next(i for i in _items(dynamodb, "ConversationsTable") if i["sk"] == "META")

    # then the keys are those deployed tables hold
    assert keys == {
        ("CONV#c1", "META"),
        ("CONV#c1", "MSG#m1"),
        ("CONV#c1", f"TURN#{DAY_START_MS + 1_000:013d}#m1#1"),
        ("CONV#c1", f"TURN#{DAY_START_MS + 1_005:013d}#m1#2"),
        ("CONV#c1", "REVIEW#m1"),
    }
    assert meta["answer_score_m1"] == 2
    assert meta["gsi1pk"] == f"TENANT#{LANDLORD}#{DAY}"
    assert meta["gsi1sk"] == f"{DAY_START_MS + 1_000:013d}#c1"


def test_user_and_sms_keys_keep_their_stored_format(dynamodb: Any) -> None:
    # Given an account, a delivery, a window and an opt-out stored in DynamoDB
    backend = _dynamodb(dynamodb)
    backend.users.create(LANDLORD, "ana@exemple-hlm.fr", StaffRole.ADMINISTRATOR, "h")
    backend.sms.assign("sms-1", "conv-a")
    backend.sms.conversation_for(LANDLORD, "hash-1", DAY_START_MS)
    backend.sms.record_opt_out(LANDLORD, "hash-1", 1_000)

    # then their keys are those deployed tables hold
    assert {(i["pk"], i["sk"]) for i in _items(dynamodb, "UsersTable")} == {
        (f"TENANT#{LANDLORD}", "USER#ana@exemple-hlm.fr"),
        ("EMAIL#ana@exemple-hlm.fr", "LOGIN"),
    }
    assert [i["id"] for i in _items(dynamodb, "IdempotencyTable")] == ["sms-delivery#sms-1"]
    assert {(i["pk"], i["sk"]) for i in _items(dynamodb, "ConversationsTable")} == {
        (f"SMSWIN#{LANDLORD}#hash-1", "WINDOW"),
        (f"SMSOPTOUT#{LANDLORD}#hash-1", "OPTOUT"),
    }


def test_the_data_request_audit_keeps_its_stored_format(dynamodb: Any) -> None:
    # Given one audited erasure stored in DynamoDB
    log = _dynamodb(dynamodb).audit
    log.record(
        DataRequestRecord(
            LANDLORD,
            1_800_000_000_000,
            "ana@exemple-hlm.fr",
            "delete",
            DataSubject("phone", "tel_a"),
            3,
        )
    )

    # when its raw item is read
    (item,) = _items(dynamodb, "ConversationsTable")

    # then it is the landlord's audit partition, ordered by time, kept three years
    assert item["pk"] == f"DSRLOG#{LANDLORD}"
    assert item["sk"].startswith("1800000000000#")
    assert item["subject"] == "tel_a"
    assert item["expires_at"] == 1_800_000_000 + 3 * 365 * 86400
