"""A tenant's data request in Chromium against a local stack of its own: the tenant texts the
landlord's number (webhook → queue → worker, which stores the number's keyed hash); an
administrator finds that number's conversations on "Demandes RGPD", exports them, erases them,
and the audit shows the three steps. Another landlord's conversation of the same number is
neither found nor erased. With PIERRE_UPDATE_SCREENSHOTS=1 the README's screenshot is refreshed.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pierre_local import simulate_sms
from pierre_rag.conversations import SMS_SENDER_ATTRIBUTE, ConversationStore, Turn
from pierre_rag.phones import pseudonymise_phone
from tests.e2e.staff_forms import bootstrap_administrator, login, shot
from tests.stack import RunningStack, running_stack, stack_env

LANDLORD = "pierre-habitat.fr"
OTHER_LANDLORD = "autre-bailleur.fr"  # not served by the stack: its data is only stored
PASSWORD = "une phrase de passe rgpd"
QUESTION = "Quels sont les horaires de mon agence ?"


@pytest.fixture(scope="module")
def dsr_stack(
    tmp_path_factory: pytest.TempPathFactory, e2e_datastore: Path, dynamodb_local: str
) -> Iterator[RunningStack]:
    """A stack of this file's own: its landlord's first administrator is bootstrapped here."""
    state = tmp_path_factory.mktemp("e2e-dsr-state")
    with running_stack(state, dynamodb=dynamodb_local, env=stack_env(e2e_datastore)) as running:
        yield running


def _store(stack: RunningStack) -> ConversationStore:
    return ConversationStore(stack.client("dynamodb"), stack.table("ConversationsTable"))


def _seed(
    store: ConversationStore, conversation_id: str, landlord: str, sender: str | None
) -> None:
    """An older conversation, written as the SMS worker (``sender``: a keyed hash) or the web
    chat writes one."""
    created = int(time.time() * 1000) - 3 * 86_400_000
    store.record_user_turn(
        conversation_id,
        Turn("user", "Une question plus ancienne", uuid.uuid4().hex, created),
        landlord=landlord,
        context="default",
        channel="web" if sender is None else "sms",
        retention_days=30,
        extra_meta=None if sender is None else {SMS_SENDER_ATTRIBUTE: sender},
    )


def test_an_administrator_finds_exports_and_erases_an_sms_numbers_data(dsr_stack, browser):
    # given a tenant who texted the landlord today, and an older SMS conversation of theirs
    number = f"+336{secrets.randbelow(10**8):08d}"
    argv = [QUESTION, "--url", dsr_stack.url, "--from", number, "--state-dir"]
    assert simulate_sms.main([*argv, str(dsr_stack.state_dir), "--wait", "120"]) == 0
    store = _store(dsr_stack)
    sender = pseudonymise_phone(number, dsr_stack.secrets["phone-hash-key"].encode())
    _seed(store, "sms-older", LANDLORD, sender)
    _seed(store, "web-other", LANDLORD, None)
    _seed(store, "theirs", OTHER_LANDLORD, sender)
    email = bootstrap_administrator(browser, dsr_stack, LANDLORD, PASSWORD)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, dsr_stack.url, email, PASSWORD)
    page.wait_for_url("**/admin/conversations")

    # when the administrator types the number as the tenant wrote it
    page.get_by_role("link", name="Demandes RGPD").click()
    page.get_by_label("Numéro de téléphone (SMS)").fill("0" + number[3:5] + " " + number[5:])
    page.get_by_role("button", name="Rechercher").click()

    # then both of the tenant's conversations are listed, today's first
    page.get_by_text("2 conversation(s) trouvée(s)").wait_for()
    rows = page.locator("table.conversations tbody tr")
    assert rows.count() == 2
    assert QUESTION in rows.nth(0).inner_text()
    assert "Une question plus ancienne" in rows.nth(1).inner_text()
    shot(page, "data-requests")

    # when they are exported, then one .zip holds them as JSON and as text
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter (.zip : JSON et texte lisible)").click()
    archive = zipfile.ZipFile(download.value.path())
    document = json.loads(archive.read("conversations.json"))
    assert len(document["conversations"]) == 2
    assert document["conversations"][0]["messages"][0]["text"] == QUESTION
    assert QUESTION in archive.read("conversations.txt").decode("utf-8")

    # when they are erased, after the confirmation
    page.get_by_role("button", name="Supprimer…").click()
    page.get_by_role("heading", name="Supprimer 2 conversation(s) ?").wait_for()
    page.get_by_role("button", name="Supprimer définitivement").click()

    # then the page says so and its audit shows the search, the export and the erasure
    page.get_by_text("2 conversation(s) supprimée(s) définitivement.").wait_for()
    actions = page.locator('td[data-label="Action"]').all_inner_texts()
    assert actions[:3] == ["Suppression", "Export", "Recherche"]
    assert number[3:] not in page.content()
    # and the tenant's conversations are gone, the others kept
    assert store.conversations_of_sms_sender(LANDLORD, sender) == []
    assert store.get_meta("sms-older") is None
    assert store.get_meta("web-other") is not None
    assert store.get_meta("theirs") is not None
    assert errors == []
    context.close()
