"""The chat page and the widget for a visitor with a keyboard or a screen reader, in
Chromium: axe-core on every state, the widget's dialog, the origin check before it opens, the
interface's language, and the accessibility statement."""

from __future__ import annotations

from typing import Any

from tests.e2e.accessibility import assert_accessible
from tests.e2e.chat_forms import ask

LANDLORD = "pierre-habitat.fr"
QUESTION = "Quels sont les horaires de mon agence ?"


def _focused_in_widget(page: Any) -> str:
    """What has the focus, seen through the widget's shadow root and its frame."""
    return str(
        page.evaluate(
            """() => {
                const active = document.activeElement;
                if (!active || !active.shadowRoot) return active ? active.tagName : '';
                const inner = active.shadowRoot.activeElement;
                if (!inner) return 'host';
                if (inner.tagName === 'IFRAME') return 'frame';
                return inner.getAttribute('aria-label') || inner.className || inner.tagName;
            }"""
        )
    )


def test_the_chat_page_and_an_answer_with_sources_pass_axe(stack, page):
    # Given the landlord's chat page
    page.goto(f"{stack.url}/api/embed/{LANDLORD}/default")
    page.locator(".example").first.wait_for()
    assert_accessible(page, "chat: page")

    # When an answer with its sources has arrived
    answer = ask(page, QUESTION)
    assert answer.locator(".sources details").count() >= 1
    answer.locator(".sources details").first.locator("summary").click()

    # Then axe finds nothing either, and the answer was announced once, in full
    assert_accessible(page, "chat: answer with sources")
    announcer = page.locator("#pierre-announce")
    assert announcer.get_attribute("aria-live") == "polite"
    page.wait_for_function("document.getElementById('pierre-announce').textContent.length > 0")
    said = announcer.inner_text()
    assert said.startswith("Réponse de l'assistant :")
    assert answer.locator(".msg__body").inner_text().split("\n")[0][:30] in said
    assert page.locator("#pierre-messages").get_attribute("aria-live") is None
    assert page.js_errors == []


def test_the_widget_closed_and_open_passes_axe(stack, page):
    page.goto(stack.url + "/demo.html")
    page.get_by_role("button", name="Ouvrir l'assistant").wait_for()
    assert_accessible(page, "widget: closed")

    page.get_by_role("button", name="Ouvrir l'assistant").click()
    page.frame_locator("iframe[title='Assistant du bailleur']").locator(".example").first.wait_for()
    frame = page.frame(url=lambda url: "/api/embed/" in url)

    assert_accessible(page, "widget: open")
    assert frame is not None
    assert_accessible(frame, "widget: open, its chat page")


def test_the_widget_traps_the_focus_and_escape_returns_it_to_the_launcher(stack, page):
    # Given the widget opened from the keyboard
    page.goto(stack.url + "/demo.html")
    launcher = page.get_by_role("button", name="Ouvrir l'assistant")
    launcher.focus()
    page.keyboard.press("Enter")
    chat = page.frame_locator("iframe[title='Assistant du bailleur']")
    chat.locator(".example").first.wait_for()
    page.wait_for_function(
        "document.querySelector('[data-pierre-widget]').shadowRoot.activeElement?.tagName"
        " === 'IFRAME'"
    )

    # When the visitor tabs forwards, then backwards, well past every control
    seen_forwards = []
    for _ in range(25):
        page.keyboard.press("Tab")
        seen_forwards.append(_focused_in_widget(page))
    seen_backwards = []
    for _ in range(25):
        page.keyboard.press("Shift+Tab")
        seen_backwards.append(_focused_in_widget(page))

    # Then the focus cycles between the close button and the chat, never the page behind
    for seen in (seen_forwards, seen_backwards):
        assert set(seen) <= {"frame", "Fermer l'assistant"}, seen
        assert "Fermer l'assistant" in seen and "frame" in seen

    # And Escape, pressed inside the chat, closes the dialog and gives the launcher the focus
    chat.get_by_label("Votre question").focus()
    page.keyboard.press("Escape")
    page.get_by_role("dialog", name="Assistant").wait_for(state="hidden")
    assert _focused_in_widget(page) == "Aide, ouvrir l'assistant"
    assert page.js_errors == []


def _host_page(page: Any, stack_url: str, site: str) -> None:
    """A landlord's page on ``site`` (answered by the browser's routing) with the widget of
    the stack."""
    html = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
        <title>Site hôte</title></head><body><main><h1>Site hôte</h1></main>
        <script src="{stack_url}/widget.js" data-url="{stack_url}"
                data-configuration="{LANDLORD}" data-context="default"></script></body></html>"""
    page.route(
        f"{site}/", lambda route: route.fulfill(status=200, body=html, content_type="text/html")
    )
    page.goto(f"{site}/")


def test_on_an_undeclared_site_the_widget_explains_instead_of_a_blank_frame(stack, page):
    # Given a page on a site the landlord did not declare for its widget
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    _host_page(page, stack.url, "http://site-non-declare.example")

    # When the visitor opens the widget
    page.get_by_role("button", name="Ouvrir l'assistant").click()

    # Then a message says why, no frame is loaded, and the integrator is told what to add
    dialog = page.get_by_role("dialog", name="Assistant")
    dialog.get_by_role("alert").wait_for()
    assert "n'est pas déclarée par le bailleur" in dialog.get_by_role("alert").inner_text()
    assert page.locator("iframe").count() == 0 or not page.locator("iframe").is_visible()
    assert any("http://site-non-declare.example" in w and "allowed_origins" in w for w in warnings)
    assert_accessible(page, "widget: undeclared site")


def test_on_a_declared_site_the_widget_opens_the_chat(stack, page):
    # Given a page on an origin the landlord declared (knowledge/pierre-habitat.fr)
    _host_page(page, stack.url, "http://localhost:3000")

    # When the visitor opens the widget
    page.get_by_role("button", name="Ouvrir l'assistant").click()

    # Then the chat loads in the frame
    chat = page.frame_locator("iframe[title='Assistant du bailleur']")
    chat.locator(".example").first.wait_for()
    assert page.get_by_role("dialog").get_by_role("alert").count() == 0


def test_the_interface_speaks_the_browsers_language_and_can_be_switched(stack, browser):
    # Given a visitor whose browser prefers German
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{stack.url}/api/embed/{LANDLORD}/default")
    page.locator(".example").first.wait_for()

    # Then the interface's texts are German and the page says so
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("button", name="Senden").is_visible()
    assert page.get_by_label("Ihre Frage").is_visible()

    # When they choose Arabic in the language selector
    page.get_by_label("Sprache").select_option("ar")

    # Then the texts, the lang and the direction follow, and the choice is kept on reload
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("button", name="إرسال").is_visible()
    assert_accessible(page, "chat: in Arabic")
    page.reload()
    page.locator(".example").first.wait_for()
    assert page.locator("html").get_attribute("lang") == "ar"
    context.close()


def test_the_widget_speaks_the_browsers_language_and_follows_the_chats_choice(stack, browser):
    # Given a visitor whose browser prefers German, on the landlord's page
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(stack.url + "/demo.html")

    # Then the launcher and the dialog speak German, and the open dialog passes axe
    page.get_by_role("button", name="Hilfe, den Assistenten öffnen").click()
    dialog = page.get_by_role("dialog", name="Assistent")
    dialog.wait_for()
    chat = page.frame_locator("iframe[title='Assistent des Vermieters']")
    chat.locator(".example").first.wait_for()
    assert dialog.get_attribute("lang") == "de"
    assert_accessible(page, "widget: open, in German")

    # When they choose Spanish in the chat's language selector
    chat.get_by_label("Sprache").select_option("es")

    # Then the widget's own texts follow
    page.get_by_role("button", name="Cerrar el asistente").wait_for()
    assert page.get_by_role("dialog", name="Asistente").get_attribute("lang") == "es"
    context.close()


def test_without_its_texts_the_chat_says_it_is_unavailable(stack, page):
    # Given the page's catalogue of texts cannot be fetched
    page.route("**/chat-texts.json", lambda route: route.fulfill(status=503, body=""))

    # When the chat page opens
    page.goto(f"{stack.url}/api/embed/{LANDLORD}/default")

    # Then it says the assistant is unavailable, in French, and offers no empty form
    page.get_by_text("momentanément indisponible").wait_for()
    assert page.locator("#pierre-form").is_hidden()
    assert page.get_by_role("button", name="Envoyer").count() == 0


def test_the_accessibility_statement_is_linked_and_passes_axe(stack, page):
    # Given the chat page
    page.goto(f"{stack.url}/api/embed/{LANDLORD}/default")
    link = page.get_by_role("link", name="Accessibilité : partiellement conforme")

    # When the visitor follows its footer's accessibility link
    with page.context.expect_page() as opened:
        link.click()
    statement = opened.value
    statement.wait_for_load_state()

    # Then the statement opens, partially conformant, with the landlord's contact
    assert statement.locator("h1").inner_text() == "Déclaration d'accessibilité"
    assert "partiellement conforme" in statement.locator("main").inner_text()
    assert statement.get_by_role("link", name="accessibilite@pierre-habitat.fr").count() == 1
    assert_accessible(statement, "accessibility statement")
