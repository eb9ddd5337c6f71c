"""What the browser tests do through the admin's forms: sign in, set a first password,
bootstrap the first administrator, create a staff account, take a README screenshot."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from pierre_rag.auth.bootstrap import bootstrap_secret_name
from tests.helpers import REPO_ROOT
from tests.stack import RunningStack

SHOTS = REPO_ROOT / "docs" / "screenshots"
TMP_SHOTS = Path(tempfile.gettempdir()) / "pierre-screenshots"
VIEWPORT = {"width": 1280, "height": 800}


def shot(page: Any, name: str) -> None:
    """README screenshots are rewritten only on request (PIERRE_UPDATE_SCREENSHOTS=1, ``make
    screenshots``), so a test run leaves the work tree clean."""
    target = SHOTS if os.environ.get("PIERRE_UPDATE_SCREENSHOTS") == "1" else TMP_SHOTS
    target.mkdir(parents=True, exist_ok=True)
    # the visible screen only: a full page of a long list weighs several hundred KB
    page.screenshot(path=str(target / f"admin-{name}.png"))


def login(page: Any, url: str, email: str, password: str) -> None:
    page.goto(url + "/admin/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def change_password(page: Any, current: str, new: str) -> None:
    """The form a first sign-in lands on: a one-time password must be replaced."""
    page.wait_for_url("**/admin/password")
    page.locator("#current").fill(current)
    page.locator("#new").fill(new)
    page.locator("#confirm").fill(new)
    page.get_by_role("button", name="Enregistrer").click()


def bootstrap_administrator(browser: Any, stack: RunningStack, landlord: str, password: str) -> str:
    """Sign the landlord's first administrator in with the bootstrap secret and give it
    ``password``; returns its e-mail."""
    email = f"admin@{landlord}"
    secret = stack.secrets[bootstrap_secret_name(landlord)]
    context = browser.new_context(locale="fr-FR", viewport=VIEWPORT)
    page = context.new_page()
    login(page, stack.url, email, secret)
    change_password(page, secret, password)
    page.wait_for_url("**/admin/conversations")
    context.close()
    return email


def create_user(page: Any, url: str, email: str, role: str) -> str:
    """On a signed-in administrator's page: create a staff account, return its one-time
    password."""
    page.goto(url + "/admin/users")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Rôle", exact=True).select_option(role)
    page.get_by_role("button", name="Créer").click()
    one_time: str = page.locator("code.big").inner_text()
    return one_time
