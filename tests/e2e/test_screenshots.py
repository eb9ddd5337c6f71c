"""The README's pictures of the chat and the widget (docs/screenshots/), rewritten with
PIERRE_UPDATE_SCREENSHOTS=1 (``make screenshots``); elsewhere into a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.e2e.chat_forms import ask
from tests.e2e.staff_forms import SHOTS, TMP_SHOTS

LANDLORD = "pierre-habitat.fr"
QUESTION = "Quels sont les horaires de mon agence ?"
MAX_BYTES = 150_000


def _target(name: str) -> Path:
    folder = SHOTS if os.environ.get("PIERRE_UPDATE_SCREENSHOTS") == "1" else TMP_SHOTS
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


def _answer(chat: Any) -> None:
    ask(chat, QUESTION).locator(".sources summary").first.click()


def test_the_widget_open_on_the_demo_page(stack, page):
    page.goto(stack.url + "/demo.html")
    page.get_by_role("button", name="Ouvrir l'assistant").click()
    chat = page.frame_locator("iframe[title='Assistant du bailleur']")
    chat.locator(".example").first.wait_for()
    _answer(chat)

    target = _target("widget")
    page.screenshot(path=str(target))

    assert 5_000 < target.stat().st_size <= MAX_BYTES


def test_the_chat_with_an_answer_and_its_sources_on_a_phone(stack, browser):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.goto(f"{stack.url}/api/embed/{LANDLORD}/default")
    page.locator(".example").first.wait_for()
    _answer(page)

    target = _target("chat")
    page.screenshot(path=str(target))
    context.close()

    assert 5_000 < target.stat().st_size <= MAX_BYTES
