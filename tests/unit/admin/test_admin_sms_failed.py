"""Administrators see their landlord's SMS that could not be answered, safely rendered."""

from __future__ import annotations

from pierre_rag.auth.roles import Role
from tests.unit.admin.harness import OTHER, TENANT


def test_an_administrator_sees_the_failed_sms_escaped_and_without_the_number(admin):
    admin.sign_in_as(f"a@{TENANT}", Role.ADMINISTRATOR)

    page = admin.client.get("/admin/sms/failed")

    assert page.status_code == 200
    assert "&lt;b&gt;chauffage&lt;/b&gt; en panne" in page.text
    assert "<b>chauffage</b>" not in page.text
    assert "•• 78" in page.text and "CM answered 503" in page.text


def test_another_landlord_sees_none_of_them(admin):
    admin.sign_in_as(f"a@{OTHER}", Role.ADMINISTRATOR, tenant=OTHER)

    page = admin.client.get("/admin/sms/failed")

    assert page.status_code == 200
    assert "Aucun SMS en échec" in page.text
