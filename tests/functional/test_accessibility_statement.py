"""The landlord's accessibility statement served by the chat function (RGAA model)."""

from __future__ import annotations

from typing import Any

from chat_api.accessibility import AutomatedAudit, automated_audit
from tests.helpers import load_event


def _statement(landlord: str) -> dict[str, Any]:
    event = load_event("chat_get_config")
    path = f"/api/accessibilite/{landlord}"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["rawQueryString"] = ""
    return event


def test_the_statement_never_claims_full_conformance_and_gives_the_remedies(chat):
    # When a visitor opens the landlord's accessibility statement
    response = chat(_statement("exemple-hlm.fr"))

    # Then it says partially conformant, what is left to a manual audit, and the remedies
    assert response["statusCode"] == 200
    body = response["body"]
    assert "Déclaration d'accessibilité" in body
    assert "partiellement conforme" in body
    assert "totalement conforme" not in body
    assert "audit manuel" in body
    assert "Défenseur des droits" in body
    assert 'href="mailto:accessibilite@exemple-hlm.fr"' in body  # the landlord's contact
    assert "frame-ancestors 'self'" in response["headers"]["content-security-policy"]


def test_the_statement_reports_the_recorded_automated_checks(chat):
    # Given the automated checks recorded with the chat function
    audit = automated_audit()
    assert isinstance(audit, AutomatedAudit)

    # When the statement is read
    body = chat(_statement("exemple-hlm.fr"))["body"]

    # Then it names the tool, its version, the day and what it found
    assert f"{audit.tool} {audit.version}" in body
    assert audit.date in body
    assert f"{audit.violations} violation" in body


def test_an_unknown_landlord_has_no_statement(chat):
    assert chat(_statement("inconnu.fr"))["statusCode"] == 404
