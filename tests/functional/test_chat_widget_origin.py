"""The widget asks, before opening its window, whether the host page's origin may frame the
chat page: the same answer as the page's frame-ancestors, readable by any site."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import load_event

PATH = "/api/landlords/exemple-hlm.fr/widget-origin"


def _asked_from(origin: str | None, path: str = PATH) -> dict[str, Any]:
    event = load_event("chat_get_config")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["rawQueryString"] = ""
    event["headers"].pop("origin", None)
    if origin is not None:
        event["headers"]["origin"] = origin
    return event


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost:3000", True),  # declared in the landlord's file
        ("https://evil.example", False),
        (None, True),  # no Origin header: the chat's own pages
    ],
)
def test_the_widget_learns_whether_its_host_origin_is_declared(chat, origin, allowed):
    # Given a page on ``origin`` where the widget is about to open
    # When it asks the chat function
    response = chat(_asked_from(origin))

    # Then the answer says whether the frame would open, to any site
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"origin": origin, "allowed": allowed}
    assert response["headers"]["access-control-allow-origin"] in {"*", origin}


def test_an_unknown_landlord_has_no_widget_origins(chat):
    response = chat(_asked_from("https://evil.example", "/api/landlords/inconnu.fr/widget-origin"))

    assert response["statusCode"] == 404
