"""Review that improves the assistant, in headless Chromium against the local stack: the
"À améliorer" page groups similar questions and a group marked handled leaves it; a staff
member validates an answer from its transcript and a later similar question in the chat gets
it, signed. A stack of its own: its reviewer account would otherwise close the landlord's
bootstrap sign-in that the other admin tests open with."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.passwords import hash_password
from pierre_rag.auth.users import UserStore
from pierre_rag.conversations import ConversationStore, Turn
from tests.e2e.staff_forms import login, shot
from tests.stack import RunningStack, running_stack, stack_env

LANDLORD = "pierre-habitat.fr"
PASSWORD = "une phrase de passe pour la revue"
# Worded for these tests only: nothing else in the shared stack asks them.
CHARGER = "Puis-je faire installer une borne de recharge électrique sur ma place de parking ?"
CHARGER_AGAIN = "Puis-je faire installer une borne de recharge électrique sur ma place de parking"
BALCONY = "Ai-je le droit de mettre une parabole sur mon balcon ?"
VALIDATED = "Oui, une parabole est possible avec l'accord écrit de Pierre Habitat (e2e)."


def _seed(stack: Any, question: str, answer: str, outcome: str) -> str:
    """One conversation of a minute ago, written with the real store; its id."""
    store = ConversationStore(stack.client("dynamodb"), stack.table("ConversationsTable"))
    conversation = str(uuid.uuid4())
    asked = Turn("user", question, uuid.uuid4().hex, int(time.time() * 1000) - 60_000)
    store.record_user_turn(
        conversation,
        asked,
        landlord=LANDLORD,
        context="default",
        channel="web",
        retention_days=30,
    )
    store.record_answer(
        conversation,
        Turn("assistant", answer, asked.message_id, asked.created_ms + 900, outcome=outcome),
        retention_days=30,
    )
    return conversation


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, e2e_datastore: Path, dynamodb_local: str
) -> Iterator[RunningStack]:
    state = tmp_path_factory.mktemp("e2e-review-state")
    with running_stack(state, dynamodb=dynamodb_local, env=stack_env(e2e_datastore)) as running:
        yield running


@pytest.fixture(scope="module")
def reviewer(stack: Any) -> str:
    """An administrator of the landlord with a chosen password (written to the users table)."""
    email = f"revue-{uuid.uuid4().hex[:6]}@{LANDLORD}"
    users = UserStore(stack.client("dynamodb"), stack.table("UsersTable"))
    users.create(
        LANDLORD,
        email,
        StaffRole.ADMINISTRATOR,
        hash_password(PASSWORD),
        must_change_password=False,
    )
    return email


def test_the_backlog_groups_similar_questions_and_a_handled_group_leaves(stack, page, reviewer):
    # Given two wordings of one question the assistant found nothing for
    _seed(stack, CHARGER, "Je n'ai rien trouvé.", "nothing_found")
    _seed(stack, CHARGER_AGAIN, "Je n'ai rien trouvé.", "nothing_found")

    # When the reviewer opens "À améliorer" from the menu
    login(page, stack.url, reviewer, PASSWORD)
    page.wait_for_url("**/admin/conversations")
    page.get_by_role("link", name="À améliorer").click()
    page.wait_for_url("**/admin/backlog")

    # Then the two are one group of 2
    row = page.locator("table.backlog tbody tr").filter(has_text="borne de recharge")
    assert row.count() == 1
    assert row.locator('td[data-label="Fois"]').inner_text() == "2"
    assert "Rien trouvé 2" in row.locator('td[data-label="Raisons"]').inner_text()
    shot(page, "backlog")

    # And marked handled, it leaves the page
    row.get_by_role("button", name="Marquer comme traité").click()
    page.wait_for_url("**/admin/backlog?done=handled")
    assert page.get_by_role("status").inner_text() == "Groupe marqué comme traité."
    assert page.locator("table.backlog tbody tr").filter(has_text="borne de recharge").count() == 0
    assert page.js_errors == []


def test_a_validated_answer_is_served_to_a_later_similar_question(stack, page, reviewer):
    # Given an answer a staff member reviews in its transcript
    conversation = _seed(stack, BALCONY, "Je n'ai rien trouvé.", "nothing_found")
    login(page, stack.url, reviewer, PASSWORD)
    page.wait_for_url("**/admin/conversations")
    page.goto(f"{stack.url}/admin/conversations/{conversation}")

    # When they validate it with a corrected text
    page.get_by_role("link", name="Valider cette réponse…").click()
    page.get_by_label("Réponse validée (Markdown)").fill(VALIDATED)
    page.get_by_role("button", name="Valider cette réponse").click()
    page.wait_for_url("**/admin/validated?done=validated")
    assert page.locator("table.validated").get_by_text(VALIDATED).count() == 1
    shot(page, "validated")

    # Then a tenant asking the same question in the chat gets it, signed
    page.goto(f"{stack.url}/api/embed/{LANDLORD}/default")
    page.get_by_label("Votre question").fill("ai-je le droit de mettre une parabole sur mon balcon")
    page.get_by_role("button", name="Envoyer").click()
    answer = page.locator(".msg--bot").last
    answer.locator(".feedback").wait_for(timeout=20_000)
    text = answer.inner_text()
    assert VALIDATED in text
    assert "Réponse validée par Pierre Habitat" in text
    assert page.js_errors == []
