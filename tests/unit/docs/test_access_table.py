"""docs/admin.md's capability table says what the code's table says (pierre_rag.auth.access)."""

from __future__ import annotations

import re

from pierre_rag.auth.access import ROLE_CAPABILITIES, Capability, StaffRole
from tests.helpers import REPO_ROOT

ADMIN_DOC = REPO_ROOT / "docs" / "admin.md"
SECTION = "## Who may do what"


def _documented_table() -> tuple[list[str], dict[str, set[str]]]:
    """The role columns of the documented table, and the roles ticked for each capability."""
    text = ADMIN_DOC.read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("|") and not line.startswith("| ---")
    ]
    header, body = rows[0], rows[1:]
    roles = header[2:]
    ticked = {
        re.sub(r"^`(.*)`$", r"\1", row[0]): {
            role for role, mark in zip(roles, row[2:], strict=True) if mark == "✓"
        }
        for row in body
    }
    return roles, ticked


def _code_table() -> dict[str, set[str]]:
    return {
        capability.value: {
            role.value for role, held in ROLE_CAPABILITIES.items() if capability in held
        }
        for capability in Capability
    }


def test_the_documented_capability_table_is_the_codes_table():
    # given the table in docs/admin.md
    roles, documented = _documented_table()
    # when it is set beside ROLE_CAPABILITIES
    expected = _code_table()
    # then it has one column per role and one row per capability, ticked as in the code
    assert roles == [role.value for role in StaffRole]
    assert documented == expected, (
        f"update the table under '{SECTION}' in docs/admin.md to: {expected}"
    )
