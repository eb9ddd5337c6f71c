"""The admin in headless Chromium against the local stack: bootstrap login, a role-restricted
page, scoring a conversation and one of its answers (on a phone), the statistics charts. With
PIERRE_UPDATE_SCREENSHOTS=1 the screenshots of the README (docs/screenshots/) are refreshed."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pierre_rag.conversations import ConversationStore, Turn
from tests.e2e.accessibility import assert_accessible
from tests.e2e.staff_forms import (
    SHOTS,
    bootstrap_administrator,
    change_password,
    create_user,
    login,
    shot,
)

LANDLORD = "pierre-habitat.fr"
NEW_PASSWORD = "une phrase de passe e2e"


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
            "La réparation de la chasse d'eau est **à la charge du locataire**.",
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
    return bootstrap_administrator(browser, stack, LANDLORD, NEW_PASSWORD)


def test_login_shows_the_conversations_of_the_day(stack, page, administrator, seeded):
    page.goto(stack.url + "/admin/login")
    shot(page, "login")

    login(page, stack.url, administrator, NEW_PASSWORD)

    page.wait_for_url("**/admin/conversations")
    # the stack is shared by every e2e file: other files' conversations of the day may be listed
    links = page.locator("table.conversations tbody tr a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert {f"/admin/conversations/{cid}" for cid in seeded} <= set(links)
    assert page.get_by_role("link", name="Statistiques").is_visible()
    shot(page, "conversations")
    assert page.js_errors == []


def test_a_contributor_cannot_open_the_users_page(stack, page, administrator, browser):
    # given: the administrator creates a contributor and reads its one-time password
    login(page, stack.url, administrator, NEW_PASSWORD)
    email = f"contrib-{uuid.uuid4().hex[:6]}@{LANDLORD}"
    otp = create_user(page, stack.url, email, "contributor")
    shot(page, "users")
    # when: the contributor signs in (own browser context) and tries the users page
    other = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    contributor = other.new_page()
    login(contributor, stack.url, email, otp)
    change_password(contributor, otp, "contributeur e2e phrase")
    contributor.wait_for_url("**/admin/knowledge")
    shot(contributor, "knowledge-mobile")
    response = contributor.goto(stack.url + "/admin/users")
    # then
    assert response is not None and response.status == 403
    assert contributor.locator("h1").inner_text() == "Accès refusé"
    assert contributor.get_by_role("link", name="Utilisateurs").count() == 0
    other.close()


def test_scoring_a_conversation(stack, page, administrator, seeded):
    login(page, stack.url, administrator, NEW_PASSWORD)
    page.goto(f"{stack.url}/admin/conversations/{seeded[0]}")

    page.get_by_label("2", exact=True).check()
    page.get_by_label("Commentaire", exact=True).fill("Bonne réponse, préciser le samedi.")
    page.get_by_role("button", name="Enregistrer la note").click()

    page.wait_for_url(re.compile(r".*done=scored"))
    assert page.get_by_role("status").inner_text() == "Note enregistrée."
    assert page.get_by_label("2", exact=True).is_checked()
    store = ConversationStore(stack.client("dynamodb"), stack.table("ConversationsTable"))
    meta = store.get_meta(seeded[0])
    assert meta is not None and meta.organisation_score == 2
    shot(page, "conversation")
    assert page.js_errors == []


def _fits_the_screen(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_scoring_an_answer_on_a_phone(stack, browser, administrator, seeded):
    # Given an administrator on a 375 px wide phone, reading a transcript
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 812})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, stack.url, administrator, NEW_PASSWORD)
    page.wait_for_url("**/admin/conversations")
    assert _fits_the_screen(page), "the conversation list overflows a phone"
    page.goto(f"{stack.url}/admin/conversations/{seeded[1]}")
    answer = page.locator("li.turn.assistant").first
    # the answer's Markdown is drawn by the chat's renderer, not shown raw
    assert answer.locator("[data-rendered] strong").inner_text() == "à la charge du locataire"

    # when they score that answer with a comment
    answer.get_by_label("1 — insuffisante").check()
    answer.get_by_label("Commentaire sur cette réponse").fill("Préciser qui paie le joint.")
    answer.get_by_role("button", name="Noter cette réponse").click()

    # then the review is stored for that answer and shown
    page.wait_for_url(re.compile(r".*done=answer-scored"))
    assert page.get_by_role("status").inner_text() == "Note de la réponse enregistrée."
    answer = page.locator("li.turn.assistant").first
    assert answer.get_by_label("1 — insuffisante").is_checked()
    store = ConversationStore(stack.client("dynamodb"), stack.table("ConversationsTable"))
    (review,) = store.answer_reviews(seeded[1]).values()
    assert (review.score, review.comment) == (1, "Préciser qui paie le joint.")
    assert _fits_the_screen(page), "the transcript overflows a phone"
    shot(page, "answer-score-mobile")
    # and the list filtered on answers scored 1 or less shows that conversation
    page.goto(f"{stack.url}/admin/conversations?answers=le1")
    links = page.locator("table.conversations tbody tr a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert f"/admin/conversations/{seeded[1]}" in links
    assert _fits_the_screen(page)
    assert errors == []
    context.close()


def test_the_statistics_page_draws_its_charts(stack, page, administrator, seeded):
    login(page, stack.url, administrator, NEW_PASSWORD)

    page.goto(stack.url + "/admin/stats")

    charts = page.locator("figure.chart svg")
    assert charts.count() == 8
    first = charts.first.bounding_box()
    assert first is not None and first["width"] > 200 and first["height"] > 50
    assert page.locator("figure.chart svg rect.bar").count() >= 10
    # the stylesheet applied (CSP allows only 'self'): bars are filled with the brand colour
    fill = page.locator("rect.bar").first.evaluate("el => getComputedStyle(el).fill")
    assert fill == "rgb(11, 95, 165)"
    shot(page, "stats")
    assert page.js_errors == []


def test_screenshots_exist():
    names = ("login", "conversations", "conversation", "stats", "knowledge-publishing", "backlog")
    for name in (*names, "answer-score-mobile", "validated", "data-requests"):
        assert Path(SHOTS / f"admin-{name}.png").stat().st_size > 5000


def _route_of(href: str) -> str:
    """A link's route: its path, with the id-like segments (a conversation's id) folded, so
    one page per route is checked."""
    path = urlsplit(href).path
    return "/".join(
        "{id}" if re.search(r"\d", part) and len(part) >= 16 else part for part in path.split("/")
    )


def _admin_links(page) -> list[str]:
    hrefs: list[str] = page.locator("main a[href^='/admin/']").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return [href for href in hrefs if not urlsplit(href).path.endswith((".csv", ".json"))]


def _draft_a_page(page) -> None:
    """The editor with a page being written, its live preview drawn."""
    page.get_by_label("Nom du fichier").fill("horaires-des-agences")
    page.get_by_label("Texte (Markdown)").fill(
        "# Horaires des agences\n\nLes agences vous accueillent **du lundi au vendredi** :\n\n"
        "- le matin, de 8 h 30 à 12 h ;\n- l'après-midi, de 13 h 30 à 17 h 30.\n"
    )
    page.locator("#preview strong", has_text="du lundi au vendredi").wait_for()


def test_every_admin_page_passes_axe(stack, page, administrator, seeded):
    # Given an administrator (every entry of the menu) and a conversation scored earlier
    page.goto(stack.url + "/admin/login")
    assert_accessible(page, "admin /admin/login")
    login(page, stack.url, administrator, NEW_PASSWORD)
    page.wait_for_url("**/admin/conversations")
    menu = page.locator("nav[aria-label='Menu principal'] a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    assert "/admin/settings" in menu
    # When every page of the menu, and one page of each route they link to, is checked
    pages = [*menu, "/admin/password", f"/admin/conversations/{seeded[0]}"]
    for entry in menu:
        page.goto(stack.url + entry)
        pages.extend(_admin_links(page))
    checked: dict[str, str] = {}
    for href in pages:
        route = _route_of(href)
        if route in checked:
            continue
        response = page.goto(stack.url + href)
        assert response is not None and response.status == 200, href
        checked[route] = href
        if route == "/admin/knowledge/edit":
            _draft_a_page(page)
        # Then axe finds nothing on any of them
        assert_accessible(page, f"admin {route}")
        if route == "/admin/knowledge/edit":
            shot(page, "knowledge-editor")
    assert {"/admin/conversations/{id}", "/admin/knowledge/file"} <= set(checked)
    assert page.js_errors == []
