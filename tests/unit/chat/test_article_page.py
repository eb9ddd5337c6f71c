"""Given the chat app over an in-memory shelf of knowledge files, when a tenant opens the
article a source links to, then only what an anonymous chat may read is served, as data the
page renders safely; anything else is an unknown article (404), never a refusal (403)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.testclient import TestClient

from pierre_rag.knowledge.browse import FileEntry, Section
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.knowledge.sources import scope_of, visible_scopes
from tests.unit.chat.test_chat_app import app_over_fixture_landlord

LANDLORD = "exemple-hlm.fr"
OTHER = "autre-bailleur.fr"
BASE = f"/api/landlords/{LANDLORD}/articles"


def _entry(file: str, access: AccessLevel, landlord: str | None, text: str) -> FileEntry:
    return FileEntry(
        file, f"Titre de {file}", access, landlord, [Section(1, ["Titre", "Partie"], text)]
    )


FILES = [
    _entry("commun/preavis.md", AccessLevel.COMMUNITY, None, "Trois **mois**."),
    _entry(f"{LANDLORD}/public/agence.md", AccessLevel.PUBLIC, LANDLORD, "Ouverte le lundi."),
    _entry(f"{LANDLORD}/staff/astreinte.md", AccessLevel.STAFF, LANDLORD, "Code 1234."),
    _entry(f"{OTHER}/public/agence.md", AccessLevel.PUBLIC, OTHER, "Ailleurs."),
    _entry("commun/piege.md", AccessLevel.COMMUNITY, None, "</script><script>alert(1)</script>"),
]


@dataclass
class Shelf:
    """Files filtered by scope as the datastore's SQL does (``sources.visible_scopes``)."""

    asked: list[tuple[str, list[str]]] = field(default_factory=list)

    def file(
        self, landlord: str, access: Sequence[AccessLevel | str], path: str
    ) -> FileEntry | None:
        self.asked.append((path, [AccessLevel(a).value for a in access]))
        scopes = visible_scopes(landlord, access)
        return next(
            (f for f in FILES if f.file == path and scope_of(f.access, f.landlord) in scopes),
            None,
        )


@pytest.fixture
def shelf() -> Shelf:
    return Shelf()


@pytest.fixture
def client(shelf: Shelf) -> TestClient:
    return app_over_fixture_landlord(articles=lambda landlord: shelf)


def _article_data(html: str) -> dict[str, Any]:
    found = re.search(r'id="pierre-article-data">(.*?)</script>', html, re.S)
    assert found, "the page carries no article data"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.mark.parametrize("path", ["commun/preavis.md", f"{LANDLORD}/public/agence.md"])
def test_a_community_or_public_article_is_a_page_with_its_sections(
    client: TestClient, path: str
) -> None:
    response = client.get(f"{BASE}/{path}")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    data = _article_data(response.text)
    assert data["file"] == path and data["title"] == f"Titre de {path}"
    assert data["sections"][0]["heading"] == "Partie"
    assert data["sections"][0]["anchor"] == "partie"
    # The page runs only the chat's own scripts, and no other site may frame it
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert '<script src="/markdown.js"' in response.text


def test_only_what_an_anonymous_chat_reads_is_asked_of_the_datastore(
    client: TestClient, shelf: Shelf
) -> None:
    client.get(f"{BASE}/commun/preavis.md")

    assert shelf.asked == [("commun/preavis.md", ["community", "public"])]


@pytest.mark.parametrize(
    "path",
    [
        f"{LANDLORD}/staff/astreinte.md",  # staff knowledge: not revealed
        f"{OTHER}/public/agence.md",  # another landlord's public file
        "commun/inconnu.md",
    ],
)
def test_a_staff_another_landlords_or_unknown_file_is_an_unknown_article(
    client: TestClient, path: str
) -> None:
    response = client.get(f"{BASE}/{path}")

    assert response.status_code == 404
    assert "Article introuvable" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "commun/..%2F" + f"{LANDLORD}/staff/astreinte.md",
        "%2E%2E/landlord.yaml",
        "commun/preavis.md%00",
        f"{LANDLORD}/landlord.yaml",
    ],
)
def test_a_path_that_cannot_name_an_article_is_refused_before_the_datastore(
    client: TestClient, shelf: Shelf, path: str
) -> None:
    response = client.get(f"{BASE}/{path}")

    assert response.status_code == 404
    assert "Article introuvable" in response.json()["detail"]
    assert shelf.asked == []


def test_an_unknown_landlord_is_said_so(client: TestClient, shelf: Shelf) -> None:
    response = client.get("/api/landlords/inconnu.fr/articles/commun/preavis.md")

    assert response.status_code == 404
    assert response.json()["detail"] == "Bailleur inconnu."
    assert shelf.asked == []


def test_html_in_the_knowledge_stays_data_and_never_closes_the_pages_script(
    client: TestClient,
) -> None:
    response = client.get(f"{BASE}/commun/piege.md")

    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "</script><script>" not in response.text
    assert _article_data(response.text)["sections"][0]["text"] == (
        "</script><script>alert(1)</script>"
    )
