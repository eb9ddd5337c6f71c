"""Given the chat app created over services a test builds (no environment, no AWS), when a
page asks for health, its configuration or a CORS preflight, then it answers from those
services: the chat app is injectable like the admin's."""

from __future__ import annotations

from typing import Any, cast

import pytest
from starlette.testclient import TestClient

from chat_api.app import create_app
from chat_api.services import ChatServices
from pierre_rag.auth.sessions import SessionCodec
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.settings import environment_variables
from tests.helpers import REPO_ROOT

LANDLORD = "exemple-hlm.fr"
WIDGET_ORIGIN = "http://localhost:3000"  # the one origin the fixture landlord declares


class Untouchable:
    """A stand-in for a store or the pipeline: these requests must not reach one."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, attribute: str) -> Any:
        raise AssertionError(f"{self.name}.{attribute} used")


def app_over_fixture_landlord(**services: Any) -> TestClient:
    """The chat app over the fixture landlord, every store and the pipeline untouchable
    unless ``services`` gives one."""
    registry = LandlordRegistry.from_directory(REPO_ROOT / "tests" / "fixtures" / "pipeline_kb")
    built = ChatServices(
        registry=registry,
        pipeline=cast(Any, Untouchable("pipeline")),
        store=cast(Any, Untouchable("store")),
        limiter=cast(Any, Untouchable("limiter")),
        sessions=SessionCodec("s" * 32),
        users=cast(Any, Untouchable("users")),
        **services,
    )
    return TestClient(create_app(lambda: built), base_url="https://chat.example.org")


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> TestClient:
    for variable in environment_variables():
        monkeypatch.delenv(variable, raising=False)
    return app_over_fixture_landlord()


def test_health_lists_the_landlords_of_the_services_given(client: TestClient) -> None:
    response = client.get("/api/health")

    assert response.status_code == 200
    payload = response.json()
    assert (payload["status"], payload["function"]) == ("ok", "chat")
    assert payload["landlords"] == [LANDLORD]


def test_a_page_configuration_comes_from_the_given_landlords(client: TestClient) -> None:
    response = client.get(f"/api/landlords/{LANDLORD}/contexts/default/config")

    assert response.status_code == 200
    assert response.json()["landlord"] == LANDLORD
    assert client.get("/api/landlords/inconnu.fr/contexts/default/config").status_code == 404


def test_a_preflight_is_allowed_only_from_an_origin_the_given_landlords_declared(
    client: TestClient,
) -> None:
    def preflight(origin: str) -> int:
        headers = {"origin": origin, "access-control-request-method": "POST"}
        return client.options("/api/health", headers=headers).status_code

    assert preflight(WIDGET_ORIGIN) == 204
    assert preflight("https://elsewhere.example") == 403


def test_health_answers_from_the_landlords_alone_when_the_services_cannot_be_built() -> None:
    # Given an app whose services fail to build (e.g. the datastore is missing)
    def no_services() -> ChatServices:
        raise RuntimeError("datastore not found")

    registry = LandlordRegistry.from_directory(REPO_ROOT / "tests" / "fixtures" / "pipeline_kb")
    app = create_app(no_services, lambda: registry)

    # When health is asked, then it lists the landlords
    response = TestClient(app, base_url="https://chat.example.org").get("/api/health")
    assert response.status_code == 200
    assert response.json()["landlords"] == [LANDLORD]
