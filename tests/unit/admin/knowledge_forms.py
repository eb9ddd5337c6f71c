"""What the knowledge authoring tests do through the admin's forms: upload, publish a preview."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.unit.admin.harness import Admin

HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def hidden_fields(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to ``action`` on ``page``."""
    form = page.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    return {name: html.unescape(value) for name, value in HIDDEN.findall(form)}


def upload(
    admin: Admin, csrf: str, name: str, data: bytes, *, access: str = "public", target: str = ""
) -> Any:
    return admin.client.post(
        "/admin/knowledge/upload",
        data={"csrf": csrf, "access": access, "target": target},
        files={"file": (name, data, "application/octet-stream")},
    )


def publish_preview(admin: Admin, preview: Any) -> Any:
    """Press "Publier" on a preview page."""
    fields = hidden_fields(preview.text, "/admin/knowledge/publish")
    return admin.client.post("/admin/knowledge/publish", data=fields, follow_redirects=False)
