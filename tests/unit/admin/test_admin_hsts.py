"""HSTS on every admin response served over HTTPS; none on plain HTTP to the local stack."""

from __future__ import annotations

from admin_app.app import create_app
from starlette.testclient import TestClient

from tests.unit.admin.harness import Admin


def test_every_admin_response_over_https_carries_hsts(admin: Admin):
    responses = {
        "page": admin.client.get("/admin/login"),
        "redirect": admin.client.get("/admin/users", follow_redirects=False),
        "not found": admin.client.get("/admin/nothing-here"),
        "static": admin.client.get("/admin/static/admin.css"),
    }

    for name, response in responses.items():
        assert response.headers["strict-transport-security"] == "max-age=31536000", name


def test_plain_http_on_the_local_machine_gets_no_hsts(admin: Admin):
    local = TestClient(create_app(lambda: admin.services), base_url="http://localhost:3000")

    response = local.get("/admin/login")

    assert response.status_code == 200
    assert "strict-transport-security" not in response.headers
