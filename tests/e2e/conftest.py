"""Browser tests: the local stack (as `make dev` runs it) + Debian's Chromium via Playwright.

The datastore is built once per session from the project's own ``knowledge/``; the LLM is off
(extractive answers), so the tests need no network and no key. Chromium is required: these
tests fail rather than skip when it is missing (`make test` installs it).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.embeddings import UseEmbedder
from tests.helpers import REPO_ROOT
from tests.stack import RunningStack, running_stack, stack_env

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # A landlord's page on another site (answered by Playwright's routing) loads the widget
    # from the stack on 127.0.0.1: Chromium's local network access checks would refuse it.
    "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def e2e_datastore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("e2e-kb") / "datastore.sqlite"
    sources = [REPO_ROOT / "knowledge", REPO_ROOT / "tests" / "fixtures" / "e2e_kb"]
    build_datastore(sources, out, UseEmbedder(threads=1))
    return out


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory, e2e_datastore: Path, dynamodb_local: str
) -> Iterator[RunningStack]:
    state_dir = tmp_path_factory.mktemp("e2e-state")
    env = stack_env(e2e_datastore)
    with running_stack(state_dir, dynamodb=dynamodb_local, env=env) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped: Playwright's sync API keeps an event loop running on the main thread
    while it lives, which would break asyncio in the tests that run after these ones."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is required for e2e tests: apt-get install chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()
