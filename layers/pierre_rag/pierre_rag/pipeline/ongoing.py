"""An emergency goes on past the message that said it.

The block is detected in each message alone, so "j'ai ouvert les fenêtres, et maintenant ?"
right after "ça sent le gaz dans ma cuisine" got "nothing found" and no block at all: the
tenant, still in danger, lost the numbers to call. The message right after an emergency is
still in it, unless it is only small talk ("merci", "ok") or announces another subject
("sinon", "autre question"). Further turns need to say it again.
"""

from __future__ import annotations

from collections.abc import Sequence

from pierre_rag.conversations import Turn
from pierre_rag.knowledge import followup
from pierre_rag.pipeline.emergencies import Detection, detect_emergencies
from pierre_rag.pipeline.understanding import small_talk


def ongoing_emergencies(text: str, history: Sequence[Turn]) -> Detection:
    """The emergencies ``text`` expresses, else those of the user's message just before it
    when ``text`` goes on with it."""
    detected = detect_emergencies(text)
    if detected or small_talk(text) is not None or followup.signals(text, 0, 0.0).change:
        return detected
    before = next((turn.content for turn in reversed(history) if turn.role == "user"), None)
    return detect_emergencies(before) if before is not None else detected
