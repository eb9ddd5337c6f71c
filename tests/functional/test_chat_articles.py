"""The article a source links to, through the chat function with recorded HTTP API v2 events:
a tenant opens the community's and the landlord's public articles, never a staff one."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.functional.test_chat_api import _message, _sse
from tests.helpers import load_event


def _article_data(body: str) -> dict[str, Any]:
    found = re.search(r'id="pierre-article-data">(.*?)</script>', body, re.S)
    assert found, "the page carries no article data"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def _get(path: str) -> dict[str, Any]:
    event = load_event("chat_get_article")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["pathParameters"]["proxy"] = path.removeprefix("/api/")
    return event


def test_a_community_article_is_served_as_a_page_with_its_sections(chat):
    response = chat(load_event("chat_get_article"))

    assert response["statusCode"] == 200
    assert response["headers"]["content-type"].startswith("text/html")
    assert "script-src 'self'" in response["headers"]["content-security-policy"]
    data = _article_data(response["body"])
    assert data["title"] == "Chauffage et pannes"
    assert [s["anchor"] for s in data["sections"]][:2] == [
        "ma-chaudiere-ne-fonctionne-plus-qui-appeler",
        "qui-paie-l-entretien-annuel-de-la-chaudiere",
    ]


def test_a_staff_article_is_not_revealed_but_unknown(chat):
    response = chat(load_event("chat_get_article_staff"))

    assert response["statusCode"] == 404
    assert json.loads(response["body"])["detail"].startswith("Article introuvable")


def test_a_path_climbing_out_of_its_folder_is_an_unknown_article(chat):
    response = chat(load_event("chat_get_article_traversal"))

    assert response["statusCode"] == 404
    assert json.loads(response["body"])["detail"].startswith("Article introuvable")


def test_the_sources_of_an_answer_link_to_articles_the_tenant_can_open(chat):
    # Given a question answered with its sources
    events = _sse(chat(_message())["body"])
    sources = next(data["sources"] for kind, data in events if kind == "sources")
    answer = "".join(data["text"] for kind, data in events if kind == "delta")

    # Then each source links to its article, which opens at its section
    assert sources and all(source["url"] for source in sources)
    for source in sources:
        path, _, fragment = source["url"].partition("#")
        page = chat(_get(path))
        assert page["statusCode"] == 200, source["url"]
        assert fragment in {s["anchor"] for s in _article_data(page["body"])["sections"]}
    # and the extractive answer's read-more line links the quoted article
    first = sources[0]["url"].partition("#")[0]
    assert f"]({first})" in answer
