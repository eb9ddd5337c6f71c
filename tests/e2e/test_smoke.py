"""The browser reaches the local stack: static page served, health through the Lambda path."""

from __future__ import annotations


def test_the_home_page_renders_and_links_to_health(stack, page):
    page.goto(stack.url + "/")

    assert page.locator("h1").inner_text() == "PIERRE serverless"
    page.click("a[href='/api/health']")
    assert '"function":"chat"' in page.content()
    assert page.js_errors == []
