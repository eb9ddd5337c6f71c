"""The browser reaches the local stack: `make dev`'s home page opens a working chat."""

from __future__ import annotations


def test_the_home_page_opens_the_example_landlords_chat(stack, page):
    page.goto(stack.url + "/")

    assert page.locator("h1").inner_text() == "PIERRE serverless"
    chat = page.frame_locator("iframe.home__chat")
    chat.locator(".example").first.wait_for()
    assert "Pierre Habitat" in chat.locator("h1").inner_text()
    page.click("a[href='/api/health']")
    assert '"function":"chat"' in page.content()
    assert page.js_errors == []
