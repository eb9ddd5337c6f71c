"""The web channel in a real browser: widget on a host page, chat page, history, feedback,
safety of rendered content, and the protected staff context."""

from __future__ import annotations

from typing import Any

from pierre_rag.conversations import ConversationStore
from tests.e2e.chat_forms import ask

LANDLORD = "pierre-habitat.fr"


def _open_widget(page: Any, url: str) -> Any:
    page.goto(url + "/demo.html")
    page.get_by_role("button", name="Ouvrir l'assistant").click()
    frame = page.frame_locator("iframe[title='Assistant du bailleur']")
    frame.locator(".example").first.wait_for()
    return frame


def test_widget_example_answer_with_sources_survives_reload_and_records_thumbs(stack, page):
    # Given the widget on a landlord's page
    frame = _open_widget(page, stack.url)

    # When the tenant clicks an example question
    example = frame.locator(".example").first.inner_text()
    frame.locator(".example").first.click()
    answer = frame.locator(".msg--bot").last
    answer.locator(".feedback").wait_for(timeout=20_000)

    # Then an answer arrives with its sources
    assert answer.locator(".sources details").count() >= 1
    assert frame.locator(".msg--user").last.inner_text() == example
    # and the example landlord's first example, its agencies' hours, quotes the hours
    assert "horaires" in example and "8 h 30" in answer.locator(".msg__body").inner_text()

    # And after a reload the conversation is still there
    page.reload()
    page.get_by_role("button", name="Ouvrir l'assistant").click()
    frame = page.frame_locator("iframe[title='Assistant du bailleur']")
    frame.locator(".msg--user").first.wait_for()
    assert frame.locator(".msg--user").first.inner_text() == example
    assert frame.locator(".sources").count() >= 1

    # And a thumbs-up is stored as the customer score
    frame.get_by_role("button", name="Oui, cette réponse m'a aidé").click()
    frame.get_by_text("Merci pour votre retour").wait_for()
    store = ConversationStore(stack.client("dynamodb"), stack.table("ConversationsTable"))
    conversation_id = frame.locator("body").evaluate(
        "(body) => localStorage.getItem('pierre:pierre-habitat.fr:default:conversation')"
    )
    meta = store.get_meta(conversation_id)
    assert meta is not None and meta.customer_score == 1
    assert page.js_errors == []


def test_widget_closes_by_button_backdrop_and_escape_without_leaking(stack, page):
    page.goto(stack.url + "/demo.html")
    host_font = page.locator(".host-button").evaluate("(b) => getComputedStyle(b).fontFamily")
    launcher = page.get_by_role("button", name="Ouvrir l'assistant")
    dialog = page.get_by_role("dialog", name="Assistant")

    launcher.click()
    assert dialog.is_visible()
    page.keyboard.press("Escape")
    assert not dialog.is_visible()

    launcher.click()
    page.mouse.click(5, 5)  # the backdrop
    assert not dialog.is_visible()

    launcher.click()
    page.get_by_role("button", name="Fermer l'assistant").click()
    assert not dialog.is_visible()

    globals_ = page.evaluate("() => Object.keys(window).filter((k) => /pierre/i.test(k))")
    assert globals_ == []
    assert (
        page.locator(".host-button").evaluate("(b) => getComputedStyle(b).fontFamily") == host_font
    )


def test_widget_is_full_screen_on_a_phone(stack, browser):
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 375, "height": 700}, is_mobile=True
    )
    page = context.new_page()
    page.goto(stack.url + "/demo.html")
    page.get_by_role("button", name="Ouvrir l'assistant").click()

    box = page.get_by_role("dialog", name="Assistant").bounding_box()

    assert box is not None and box["width"] == 375 and box["height"] >= 690
    context.close()


def test_markup_in_knowledge_or_answers_never_executes(stack, page):
    page.goto(f"{stack.url}/api/embed/{LANDLORD}/default")
    dialogs: list[str] = []

    def record(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)

    answer = ask(page, "comment avoir un badge pour le local a velos ?")

    assert "<img" in answer.inner_text() or "<script>" in answer.inner_text()
    assert page.evaluate("() => window.__pierre_xss") is None
    assert page.locator(".msg img, .msg script").count() == 0
    assert dialogs == []


def test_a_page_without_web_crypto_says_it_needs_https_and_posts_nothing(stack, page):
    # Given the chat page where the browser gives no Web Crypto (plain HTTP on a LAN address)
    page.add_init_script("Object.defineProperty(window.crypto, 'subtle', {value: undefined})")
    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    page.goto(f"{stack.url}/api/embed/{LANDLORD}/default")
    page.locator(".example").first.wait_for()

    # When the visitor asks a question
    page.get_by_label("Votre question").fill("Quels sont les horaires de mon agence ?")
    page.get_by_role("button", name="Envoyer").click()

    # Then the page says why it cannot send, and sent nothing
    page.get_by_text("Cette page doit être ouverte en HTTPS").wait_for()
    assert page.get_by_role("alert").inner_text().startswith("Cette page doit")  # read out
    assert not [url for url in posts if url.endswith("/messages")]


def test_protected_context_without_a_session_is_refused(stack, page):
    page.goto(f"{stack.url}/api/embed/{LANDLORD}/staff")

    page.get_by_text("réservé au personnel").wait_for()

    assert page.locator("#pierre-form").is_hidden()
    assert page.locator("#pierre-new").is_hidden()  # no empty greeting to start over with
    assert page.locator(".example").count() == 0  # the staff examples are not disclosed
    # signed as the page signs its turns (the streamed route's origin access control), so
    # that what refuses it is the staff check
    status = page.evaluate(
        """async () => {
            const body = JSON.stringify({landlord: 'pierre-habitat.fr', context: 'staff',
                                         message_id: crypto.randomUUID(), text: 'astreinte ?'});
            const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
            const hash = Array.from(new Uint8Array(digest),
                                    (b) => b.toString(16).padStart(2, '0')).join('');
            return (await fetch(
              '/api/conversations/7d1f5f0e-3c2a-4b8e-9f61-2a4c6b8d0e13/messages', {
                method: 'POST', body,
                headers: {'content-type': 'application/json', 'x-amz-content-sha256': hash},
              })).status;
        }"""
    )
    assert status == 401


def test_a_source_opens_its_article_in_a_new_tab_at_its_section(stack, page):
    # Given an answer in the widget with its sources
    frame = _open_widget(page, stack.url)
    answer = ask(frame, "Quels sont les horaires de mon agence ?")
    source_link = answer.locator(".sources__link").first
    label = source_link.inner_text()
    assert label.startswith("Lire l'article « ") and label.endswith("(nouvel onglet)")
    # and the answer's read-more line links an article too
    assert answer.locator(".msg__body a[href*='/articles/']").count() >= 1

    # When the tenant follows the source's link
    with page.context.expect_page() as opened:
        source_link.click()
    article = opened.value
    article.wait_for_load_state()

    # Then the article opens in a new tab, titled, its sections rendered, at the source's one
    title = label.removeprefix("Lire l'article « ").removesuffix(" » (nouvel onglet)")
    assert article.locator("h1").inner_text() == title
    assert article.locator("#pierre-article-sections h2").count() >= 1
    fragment = article.evaluate("() => decodeURIComponent(location.hash.slice(1))")
    assert fragment and article.locator(f"[id='{fragment}']").count() == 1
    assert article.url.startswith(f"{stack.url}/api/landlords/{LANDLORD}/articles/")
    article.close()
    assert page.js_errors == []


def test_markup_in_an_article_never_executes(stack, page):
    dialogs: list[str] = []

    def record(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)

    page.goto(f"{stack.url}/api/landlords/{LANDLORD}/articles/commun/local-velos.md")

    body = page.locator("#pierre-article-sections")
    body.get_by_text("Demandez le badge", exact=False).wait_for()
    assert "<script>" in body.inner_text() or "<img" in body.inner_text()
    assert page.evaluate("() => window.__pierre_xss") is None
    assert (
        page.locator("#pierre-article-sections img, #pierre-article-sections script").count() == 0
    )
    assert dialogs == []


def test_a_staff_article_is_not_found_by_a_tenant(stack, page):
    response = page.goto(
        f"{stack.url}/api/landlords/{LANDLORD}/articles/{LANDLORD}/staff/procedure-astreinte.md"
    )

    assert response is not None and response.status == 404
