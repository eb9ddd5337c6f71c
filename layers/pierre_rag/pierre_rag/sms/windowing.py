"""Time2Chat: one SMS conversation per phone number per 24 h window.

A window opens with the first message of a number and lasts 24 h from that message; the
next message after it opens a new conversation. A message received shortly *before* the
current window opened (a late retry) still joins it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

WINDOW_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class Window:
    conversation_id: str
    started_ms: int

    def contains(self, received_ms: int) -> bool:
        return abs(received_ms - self.started_ms) < WINDOW_MS


def next_window(current: Window | None, received_ms: int) -> Window | None:
    """``None`` when ``current`` still holds the message; else the window to open."""
    if current is not None and current.contains(received_ms):
        return None
    return Window(str(uuid.uuid4()), received_ms)
