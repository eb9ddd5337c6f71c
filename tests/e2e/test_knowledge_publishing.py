"""Issue #17's proof in a browser: a contributor replaces a landlord's source by a Word file,
the chat answers from it once its build is published, and an administrator's rollback brings
the old answer back. Nothing is redeployed: the admin writes to the knowledge bucket and the
build queue, the knowledge-build function publishes, the chat follows the pointer.

The stack is this module's own, seeded with the landlords' knowledge/ as ``make dev`` is, so
the session stack the other browser tests share never changes. The chat re-reads the pointer
every second (PIERRE_KNOWLEDGE_CHECK_S=1): the waits below are bounds, not timings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pierre_rag.publishing.dynamodb import DynamoPublishing
from pierre_rag.publishing.models import Build, BuildStatus
from tests.e2e.staff_forms import (
    VIEWPORT,
    bootstrap_administrator,
    change_password,
    create_user,
    login,
    shot,
)
from tests.helpers import eventually
from tests.stack import RunningStack, running_stack, stack_env
from tests.unit.knowledge.ooxml import docx, paragraph

LANDLORD = "pierre-habitat.fr"
SOURCE = "public/agences-et-horaires.md"
QUESTION = "Quels sont les horaires d'ouverture des agences ?"
NEW_HOURS = "du lundi au vendredi de 7 h 45 à 11 h 15"
OLD_HOURS = "8 h 30"  # knowledge/pierre-habitat.fr/public/agences-et-horaires.md
ADMIN_PASSWORD = "une phrase de passe publication"
CONTRIBUTOR = f"redaction@{LANDLORD}"
CONTRIBUTOR_PASSWORD = "une phrase de contributeur"
BUILD_BOUND_S = 180  # a build embeds on 2 shared cores: generous
CHAT_BOUND_S = 60


@pytest.fixture(scope="module")
def seeded_stack(
    tmp_path_factory: pytest.TempPathFactory, e2e_datastore: Path, dynamodb_local: str
) -> Iterator[RunningStack]:
    env = {**stack_env(e2e_datastore), "PIERRE_KNOWLEDGE_CHECK_S": "1"}
    state = tmp_path_factory.mktemp("publishing-state")
    with running_stack(state, dynamodb=dynamodb_local, env=env, seed_knowledge=True) as up:
        seed = eventually(lambda: _live_build(up) is not None, seconds=BUILD_BOUND_S)
        assert seed, list(up.output)[-30:]
        yield up


def _repository(stack: RunningStack) -> DynamoPublishing:
    return DynamoPublishing(stack.client("dynamodb"), stack.table("KnowledgeTable"))


def _live_build(stack: RunningStack) -> Build | None:
    """The landlord's build its pointer names, once published."""
    repository = _repository(stack)
    pointer = repository.pointer(LANDLORD)
    if pointer is None:
        return None
    published = [
        b
        for b in repository.builds(LANDLORD)
        if b.status is BuildStatus.PUBLISHED and b.version == pointer.version
    ]
    return published[0] if published else None


def _hours_docx() -> bytes:
    """The landlord's hours as a member of staff would write them in Word."""
    return docx(
        paragraph("Agences et horaires de Pierre Habitat", "Heading1")
        + paragraph("Horaires d'ouverture", "Heading2")
        + paragraph(
            f"Les agences vous accueillent {NEW_HOURS}, sans interruption. "
            "Elles sont fermées l'après-midi : l'accueil téléphonique reste assuré."
        )
    )


def _signed_in(browser: Any, stack: RunningStack, email: str, password: str) -> Any:
    page = browser.new_context(locale="fr-FR", viewport=VIEWPORT).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    login(page, stack.url, email, password)
    return page


def _chat_answer(browser: Any, stack: RunningStack) -> str:
    """The answer the landlord's chat (the stack's home page) gives to QUESTION, asked in a
    new conversation (a new browser context), so no earlier turn shapes it."""
    context = browser.new_context(locale="fr-FR", viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(stack.url + "/")
        chat = page.frame_locator("iframe.home__chat")
        chat.locator(".example").first.wait_for()
        chat.get_by_label("Votre question").fill(QUESTION)
        chat.get_by_role("button", name="Envoyer").click()
        answer = chat.locator(".msg--bot").last
        answer.locator(".feedback").wait_for(timeout=30_000)
        text: str = answer.locator(".msg__body").inner_text()
    finally:
        context.close()
    assert errors == []
    return text


def _build_row(page: Any, version: str) -> Any:
    """The knowledge page's row of the build of ``version``."""
    return page.locator("tr", has=page.locator(f"code:text-is('{version}')"))


def _answers_with(browser: Any, stack: RunningStack, present: str, absent: str) -> bool:
    answer = _chat_answer(browser, stack)
    return present in answer and absent not in answer


@pytest.fixture(scope="module")
def administrator(seeded_stack: RunningStack, browser: Any) -> str:
    return bootstrap_administrator(browser, seeded_stack, LANDLORD, ADMIN_PASSWORD)


def test_a_word_upload_is_answered_by_the_chat_and_a_rollback_restores_the_old_answer(
    seeded_stack: RunningStack, browser: Any, administrator: str
) -> None:
    stack = seeded_stack
    seed = _live_build(stack)
    assert seed is not None
    # Given the chat answers the hours from the seeded knowledge
    assert eventually(lambda: _answers_with(browser, stack, OLD_HOURS, NEW_HOURS), CHAT_BOUND_S)
    # and the administrator creates a contributor, who signs in and sets a password
    admin = _signed_in(browser, stack, administrator, ADMIN_PASSWORD)
    one_time = create_user(admin, stack.url, CONTRIBUTOR, "contributor")
    contributor = _signed_in(browser, stack, CONTRIBUTOR, one_time)
    change_password(contributor, one_time, CONTRIBUTOR_PASSWORD)
    contributor.wait_for_url("**/admin/knowledge")

    # When the contributor replaces the hours' file by a Word document
    contributor.goto(f"{stack.url}/admin/knowledge/upload?target={SOURCE}")
    contributor.locator("#file").set_input_files(
        files=[
            {
                "name": "horaires.docx",
                "mimeType": "application/octet-stream",
                "buffer": _hours_docx(),
            }
        ]
    )
    contributor.get_by_role("button", name="Prévisualiser").click()
    # then the preview shows the path it replaces and the chunks the build will make
    assert contributor.locator("h1").inner_text() == f"Aperçu : {SOURCE}"
    chunks = contributor.locator("ol.chunks li")
    assert chunks.count() >= 1
    assert "Horaires d'ouverture" in " ".join(chunks.all_inner_texts())
    # and when it presses "Publier"
    contributor.get_by_role("button", name="Publier").click()
    contributor.wait_for_url("**/admin/knowledge?done=published")

    # Then its build is published: the landlord's pointer names it
    def published_by_contributor() -> bool:
        live = _live_build(stack)
        return live is not None and live.requested_by == CONTRIBUTOR

    assert eventually(published_by_contributor, BUILD_BOUND_S), list(stack.output)[-30:]
    published = _live_build(stack)
    assert published is not None
    # and the chat answers with the new hours, not the old ones
    assert eventually(lambda: _answers_with(browser, stack, NEW_HOURS, OLD_HOURS), CHAT_BOUND_S)

    # When the administrator brings the seed's version back
    admin.goto(stack.url + "/admin/knowledge")
    new_row = _build_row(admin, published.version)
    assert CONTRIBUTOR in new_row.inner_text() and "(en ligne)" in new_row.inner_text()
    seed_row = _build_row(admin, seed.version)
    assert "publiée" in seed_row.inner_text() and "(en ligne)" not in seed_row.inner_text()
    shot(admin, "knowledge-publishing")
    seed_row.get_by_role("button", name="Revenir à cette version").click()
    admin.wait_for_url("**/admin/knowledge?done=rolledback")

    # Then the seed's version is live again and the chat answers with the old hours
    assert "(en ligne)" in _build_row(admin, seed.version).inner_text()
    live = _live_build(stack)
    assert live is not None and live.id == seed.id
    assert eventually(lambda: _answers_with(browser, stack, OLD_HOURS, NEW_HOURS), CHAT_BOUND_S)
    assert admin.js_errors == [] and contributor.js_errors == []
