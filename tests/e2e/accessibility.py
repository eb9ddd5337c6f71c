"""axe-core in the browser tests: inject the pinned copy (tests/e2e/package.json, ``make axe``)
into a page or frame and fail with a readable list of what it found.

Only the WCAG 2.0/2.1 level A and AA rules and those axe tags with the RGAA 4 (``RGAAv4``):
best-practice rules are advice, not a criterion a statement reports on.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path
from typing import Any

from chat_api.accessibility import AUDIT_FILE, AutomatedAudit, automated_audit
from tests.helpers import REPO_ROOT

AXE_PACKAGE = REPO_ROOT / "tests" / "e2e" / "node_modules" / "axe-core"
AXE_SCRIPT = AXE_PACKAGE / "axe.min.js"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "RGAAv4")


def axe_version() -> str:
    version: str = json.loads((AXE_PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    return version


def violations(target: Any) -> list[dict[str, Any]]:
    """axe's violations on a Playwright page or frame (frames inside it are checked apart:
    axe would need its script in each of them)."""
    if not Path(AXE_SCRIPT).exists():
        raise AssertionError(f"axe-core is not installed ({AXE_SCRIPT}): run make axe")
    if not target.evaluate("() => typeof window.axe === 'object'"):
        # The pages' CSP refuses an injected <script> (script-src 'self', 'none' in the
        # admin); DevTools' evaluation, which Playwright uses, is not subject to it.
        target.evaluate(f"() => {{ {AXE_SCRIPT.read_text(encoding='utf-8')}\n}}")
    found: list[dict[str, Any]] = target.evaluate(
        """async (tags) => (await axe.run(document, {
              runOnly: {type: 'tag', values: tags}, iframes: false, resultTypes: ['violations'],
           })).violations.map((v) => ({
              id: v.id, impact: v.impact, help: v.help, tags: v.tags,
              nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary})),
           }))""",
        list(TAGS),
    )
    return found


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = " ".join(str(node["summary"]).split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def assert_accessible(target: Any, where: str) -> None:
    found = violations(target)
    record(where, len(found))
    assert not found, f"axe found {len(found)} violation(s) on {where}:\n{describe(found)}"


def record(where: str, count: int, path: Path = AUDIT_FILE) -> None:
    """With PIERRE_UPDATE_SCREENSHOTS=1 (``make screenshots``), add the page's result to the
    audit the accessibility statement reports; otherwise the work tree stays clean."""
    if os.environ.get("PIERRE_UPDATE_SCREENSHOTS") != "1":
        return
    version = axe_version()
    today = datetime.date.today().isoformat()
    current = automated_audit(path)
    same_run = current is not None and (current.date, current.version) == (today, version)
    pages = {**(current.pages if current and same_run else {}), where: count}
    audit = AutomatedAudit(
        tool="axe-core",
        version=version,
        tags=list(TAGS),
        date=today,
        browser="Chromium (Debian) sans interface, piloté par Playwright",
        pages=dict(sorted(pages.items())),
    )
    path.write_text(
        json.dumps(audit.model_dump(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
