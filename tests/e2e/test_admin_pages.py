"""The admin in headless Chromium against the local stack: bootstrap login, a role-restricted
page, scoring a conversation, the statistics charts. With PIERRE_UPDATE_SCREENSHOTS=1 the
screenshots of the README (docs/screenshots/) are refreshed."""

from __future__ import annotations

import os
import re
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from pierre_rag.auth.bootstrap import bootstrap_secret_name
from pierre_rag.conversations import ConversationStore, Turn
from tests.helpers import REPO_ROOT

LANDLORD = "pierre-habitat.fr"
ADMIN = f"admin@{LANDLORD}"
NEW_PASSWORD = "une phrase de passe e2e"
SHOTS = REPO_ROOT / "docs" / "screenshots"
TMP_SHOTS = Path(tempfile.gettempdir()) / "pierre-screenshots"


def _shot(page, name: str) -> None:
    """README screenshots are rewritten only on request (PIERRE_UPDATE_SCREENSHOTS=1), so a
    test run leaves the work tree clean."""
    target = SHOTS if os.environ.get("PIERRE_UPDATE_SCREENSHOTS") == "1" else TMP_SHOTS
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"admin-{name}.png"), full_page=True)


def _login(page, url: str, email: str, password: str) -> None:
    page.goto(url + "/admin/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


@pytest.fixture(scope="module")
def seeded(stack) -> list[str]:
    """Conversations of today in the stack's DynamoDB (moto), written with the real store."""
    store = ConversationStore(stack.client("dynamodb"), stack.table("ConversationsTable"))
    now = int(time.time() * 1000)
    samples = [
        (
            "web",
            "default",
            "Quels sont les horaires de mon agence ?",
            "L'agence est ouverte du lundi au vendredi, de 8 h 30 à 17 h 30.",
            "answered",
        ),
        (
            "sms",
            "default",
            "Qui paie la chasse d'eau ?",
            "La réparation de la chasse d'eau est à la charge du locataire.",
            "answered",
        ),
        (
            "web",
            "staff",
            "Une panne d'ascenseur justifie-t-elle l'astreinte ?",
            "Oui si des personnes sont bloquées : appelez le cadre d'astreinte.",
            "answered",
        ),
        (
            "web",
            "default",
            "Quel temps fera-t-il demain ?",
            "Je réponds aux questions sur le logement social.",
            "off_topic",
        ),
        ("web", "default", "Puis-je avoir un chien ?", "Je n'ai rien trouvé.", "nothing_found"),
    ]
    ids = []
    for index, (channel, context, question, answer, outcome) in enumerate(samples):
        cid = str(uuid.uuid4())
        created = now - (len(samples) - index) * 60_000
        ask = Turn("user", question, uuid.uuid4().hex, created)
        store.record_user_turn(
            cid,
            ask,
            landlord=LANDLORD,
            context=context,
            channel=channel,  # type: ignore[arg-type]
            retention_days=30,
        )
        store.record_answer(
            cid,
            Turn(
                "assistant",
                answer,
                ask.message_id,
                created + 900,
                sources=[
                    {
                        "number": "1",
                        "file": "pierre-habitat.fr/public/agences.md",
                        "title": "Agences",
                        "heading": "Horaires",
                        "breadcrumb": "Agences > Horaires",
                    }
                ],
                outcome=outcome,
                language="fr",
                model="extractive",
                prompt_tokens=300 + index * 40,
                completion_tokens=60,
                latency_ms={"total": 700.0 + index * 150},
                cost_usd=0.0002,
            ),
            retention_days=30,
        )
        ids.append(cid)
    return ids


@pytest.fixture(scope="module")
def administrator(stack, browser) -> str:
    """Bootstrap the landlord's first administrator once, through the forms."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _login(page, stack.url, ADMIN, stack.secrets[bootstrap_secret_name(LANDLORD)])
    page.wait_for_url("**/admin/password")
    page.locator("#current").fill(stack.secrets[bootstrap_secret_name(LANDLORD)])
    page.locator("#new").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/admin/conversations")
    context.close()
    return ADMIN


def test_login_shows_the_conversations_of_the_day(stack, page, administrator, seeded):
    page.goto(stack.url + "/admin/login")
    _shot(page, "login")

    _login(page, stack.url, administrator, NEW_PASSWORD)

    page.wait_for_url("**/admin/conversations")
    rows = page.locator("table.conversations tbody tr")
    assert rows.count() == len(seeded)
    assert page.get_by_role("link", name="Statistiques").is_visible()
    _shot(page, "conversations")
    assert page.js_errors == []


def test_a_contributor_cannot_open_the_users_page(stack, page, administrator, browser):
    # given: the administrator creates a contributor and reads its one-time password
    _login(page, stack.url, administrator, NEW_PASSWORD)
    page.goto(stack.url + "/admin/users")
    email = f"contrib-{uuid.uuid4().hex[:6]}@{LANDLORD}"
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Rôle", exact=True).select_option("contributor")
    page.get_by_role("button", name="Créer").click()
    otp = page.locator("code.big").inner_text()
    _shot(page, "users")
    # when: the contributor signs in (own browser context) and tries the users page
    other = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    contributor = other.new_page()
    _login(contributor, stack.url, email, otp)
    contributor.wait_for_url("**/admin/password")
    contributor.locator("#current").fill(otp)
    contributor.locator("#new").fill("contributeur e2e phrase")
    contributor.locator("#confirm").fill("contributeur e2e phrase")
    contributor.get_by_role("button", name="Enregistrer").click()
    contributor.wait_for_url("**/admin/knowledge")
    _shot(contributor, "knowledge-mobile")
    response = contributor.goto(stack.url + "/admin/users")
    # then
    assert response is not None and response.status == 403
    assert contributor.locator("h1").inner_text() == "Accès refusé"
    assert contributor.get_by_role("link", name="Utilisateurs").count() == 0
    other.close()


def test_scoring_a_conversation(stack, page, administrator, seeded):
    _login(page, stack.url, administrator, NEW_PASSWORD)
    page.goto(f"{stack.url}/admin/conversations/{seeded[0]}")

    page.get_by_label("2", exact=True).check()
    page.get_by_label("Commentaire").fill("Bonne réponse, préciser le samedi.")
    page.get_by_role("button", name="Enregistrer la note").click()

    page.wait_for_url(re.compile(r".*done=scored"))
    assert page.get_by_role("status").inner_text() == "Note enregistrée."
    assert page.get_by_label("2", exact=True).is_checked()
    store = ConversationStore(stack.client("dynamodb"), stack.table("ConversationsTable"))
    meta = store.get_meta(seeded[0])
    assert meta is not None and meta.organisation_score == 2
    _shot(page, "conversation")
    assert page.js_errors == []


def test_the_statistics_page_draws_its_charts(stack, page, administrator, seeded):
    _login(page, stack.url, administrator, NEW_PASSWORD)

    page.goto(stack.url + "/admin/stats")

    charts = page.locator("figure.chart svg")
    assert charts.count() == 8
    first = charts.first.bounding_box()
    assert first is not None and first["width"] > 200 and first["height"] > 50
    assert page.locator("figure.chart svg rect.bar").count() >= 10
    # the stylesheet applied (CSP allows only 'self'): bars are filled with the brand colour
    fill = page.locator("rect.bar").first.evaluate("el => getComputedStyle(el).fill")
    assert fill == "rgb(11, 95, 165)"
    _shot(page, "stats")
    assert page.js_errors == []


def test_screenshots_exist():
    for name in ("login", "conversations", "conversation", "stats"):
        assert Path(SHOTS / f"admin-{name}.png").stat().st_size > 5000
