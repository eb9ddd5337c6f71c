"""The knowledge editor's live preview in Chromium, under the page's real CSP.

No stack: the browser's requests to the admin's origin are answered by the in-process admin
(Starlette's TestClient, over moto and the in-memory publishing stores) through Playwright's
request routing, and ``/markdown.js`` by the file the static origin serves. So the test sees
exactly the headers and bytes production sends, with no port to pick.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.sessions import COOKIE_NAME
from pierre_rag.knowledge.build import build_datastore
from tests.helpers import REPO_ROOT
from tests.unit.admin.harness import LANDLORD, Admin, make_admin
from tests.unit.knowledge.fakes import FIXTURE_KNOWLEDGE, HashEmbedder

ORIGIN = "https://admin.example.org"
PATH = "public/horaires.md"


@pytest.fixture
def admin(dynamodb: Any, tmp_path: Path) -> Iterator[Admin]:
    datastore = tmp_path / "datastore.sqlite"
    build_datastore([FIXTURE_KNOWLEDGE], datastore, HashEmbedder())
    harness = make_admin(dynamodb, datastore)
    with harness.client:
        yield harness


def _serve(admin: Admin, route: Any) -> None:
    """One browser request, answered by the admin app or by the site root's static files."""
    request = route.request
    url = urlsplit(request.url)
    if url.path == "/markdown.js":
        body = (REPO_ROOT / "web" / "markdown.js").read_bytes()
        route.fulfill(status=200, body=body, headers={"content-type": "text/javascript"})
        return
    response = admin.client.request(
        request.method,
        url.path + (f"?{url.query}" if url.query else ""),
        content=request.post_data_buffer,
        headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
        follow_redirects=False,
    )
    route.fulfill(
        status=response.status_code, headers=dict(response.headers), body=response.content
    )


def _console_error(message: Any, errors: list[str]) -> None:
    """A CSP violation is reported on the console, not as a page error."""
    if message.type == "error":
        errors.append(message.text)


def test_the_editor_previews_the_page_with_the_chats_renderer(admin, browser):
    # given a source and a contributor's session in the browser
    admin.services.sources.write(LANDLORD, PATH, b"# Horaires\n\nOuvert le lundi.\n", "seed")
    admin.sign_in_as(f"contrib@{LANDLORD}", StaffRole.CONTRIBUTOR)
    context = browser.new_context(locale="fr-FR")
    context.add_cookies(
        [{"name": COOKIE_NAME, "value": admin.client.cookies[COOKIE_NAME], "url": ORIGIN}]
    )
    context.route(f"{ORIGIN}/**", lambda route: _serve(admin, route))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _console_error(message, errors))
    # when the page is opened and its text edited
    page.goto(f"{ORIGIN}/admin/knowledge/edit?path={PATH}")
    preview = page.locator("#preview")
    first = preview.inner_text()
    page.locator("#markdown").fill(
        "---\ntitle: Horaires\n---\n# Horaires\n\nOuvert le **samedi** matin.\n\n- Nord\n- Sud\n"
    )
    page.locator("#preview strong", has_text="samedi").wait_for()
    # then the chat's renderer drew both texts, without the front matter, and nothing was blocked
    assert "Ouvert le lundi." in first
    assert preview.locator("li").all_inner_texts() == ["Nord", "Sud"]
    assert "title:" not in preview.inner_text()
    assert errors == []
    # and the preview is a region to visit, not a live region read out at every keystroke
    assert page.get_by_role("region", name="Aperçu comme dans le chat").count() == 1
    assert preview.get_attribute("aria-live") is None
    context.close()
