"""What the browser tests do on the chat page (in the widget's frame or opened alone)."""

from __future__ import annotations

from typing import Any


def ask(chat: Any, text: str) -> Any:
    """Ask ``text`` and wait for the finished answer (its feedback buttons); returns it."""
    chat.get_by_label("Votre question").fill(text)
    chat.get_by_role("button", name="Envoyer").click()
    answer = chat.locator(".msg--bot").last
    answer.locator(".feedback").wait_for(timeout=20_000)
    return answer
