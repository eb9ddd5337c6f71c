"""The landlord's accessibility statement (RGAA model): what the automated checks found.

The browser tests run axe-core on every page of the chat and the admin and record what it
found in ``accessibility_audit.json`` beside this module (``make screenshots`` rewrites it):
the statement reports that file, never a conformance nobody audited.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

AUDIT_FILE = Path(__file__).with_name("accessibility_audit.json")


class AutomatedAudit(BaseModel):
    """One run of the automated checks: the tool, its rule tags, the day and every page."""

    tool: str
    version: str
    tags: list[str]
    date: str
    browser: str
    pages: dict[str, int]  # page → violations found

    @property
    def violations(self) -> int:
        return sum(self.pages.values())


def automated_audit(path: Path = AUDIT_FILE) -> AutomatedAudit | None:
    """The last recorded run, or None when none was recorded (the statement says so)."""
    try:
        return AutomatedAudit.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
