"""Login, bootstrap, lock-out, CSRF on the login form, cookie flags, password change."""

from __future__ import annotations

from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.csrf import LOGIN_COOKIE
from pierre_rag.auth.sessions import COOKIE_NAME
from tests.unit.admin.harness import (
    BOOTSTRAP,
    BOOTSTRAP_SECRETS,
    LANDLORD,
    OTHER,
    OTHER_BOOTSTRAP,
    PASSWORD,
)


def _session_cookie(response):
    return next(
        v
        for k, v in response.headers.multi_items()
        if k == "set-cookie" and v.startswith(COOKIE_NAME)
    )


def test_a_user_logs_in_with_the_right_password_and_gets_a_hardened_cookie(admin):
    # given
    admin.add_user("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR)
    # when
    response = admin.login("Marie@Pierre-Habitat.fr ", PASSWORD)
    # then
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/conversations"
    cookie = _session_cookie(response)
    for flag in ("HttpOnly", "Secure", "SameSite=Lax", "Max-Age=28800", "Path=/"):
        assert flag in cookie
    assert admin.client.get("/admin/users").status_code == 200


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(admin):
    admin.add_user("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR)

    wrong = admin.login("marie@pierre-habitat.fr", "not the password")
    unknown = admin.login("nobody@pierre-habitat.fr", PASSWORD)

    assert wrong.status_code == unknown.status_code == 401
    assert "Adresse e-mail ou mot de passe incorrect." in wrong.text
    assert "Adresse e-mail ou mot de passe incorrect." in unknown.text
    assert COOKIE_NAME not in admin.client.cookies


def test_the_login_form_refuses_a_post_without_its_csrf_token(admin):
    admin.add_user("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR)
    admin.client.get("/admin/login")

    response = admin.client.post(
        "/admin/login",
        data={"email": "marie@pierre-habitat.fr", "password": PASSWORD, "csrf": "forged"},
        follow_redirects=False,
    )

    assert response.status_code == 403
    assert COOKIE_NAME not in admin.client.cookies


def test_the_cookie_is_not_secure_only_on_plain_http_localhost(admin):
    admin.add_user("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR)
    form = admin.client.get("http://localhost:3000/admin/login")
    assert "Secure" not in form.headers["set-cookie"]
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    response = admin.client.post(
        "http://localhost:3000/admin/login",
        data={"email": "marie@pierre-habitat.fr", "password": PASSWORD, "csrf": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Secure" not in _session_cookie(response)

    proxied = admin.client.get(
        "http://localhost:3000/admin/login", headers={"x-forwarded-proto": "https"}
    )
    assert "Secure" in proxied.headers["set-cookie"]


def test_five_failures_lock_the_account_with_growing_delays_then_it_unlocks(admin):
    admin.add_user("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR)
    for _ in range(5):
        assert admin.login("marie@pierre-habitat.fr", "wrong").status_code == 401

    locked = admin.login("marie@pierre-habitat.fr", PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) == 30
    assert COOKIE_NAME not in admin.client.cookies

    admin.clock.now += 31
    assert admin.login("marie@pierre-habitat.fr", "wrong again").status_code == 401
    assert int(admin.login("marie@pierre-habitat.fr", PASSWORD).headers["retry-after"]) == 60

    admin.clock.now += 61
    assert admin.login("marie@pierre-habitat.fr", PASSWORD).status_code == 303


def test_many_failures_from_one_ip_lock_that_ip_for_every_account(admin):
    admin.add_user("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR)
    for index in range(20):
        admin.login(f"guess{index}@pierre-habitat.fr", "wrong")

    assert admin.login("marie@pierre-habitat.fr", PASSWORD).status_code == 429


def test_bootstrap_creates_the_first_administrator_who_must_change_the_password(admin):
    response = admin.login(f"admin@{LANDLORD}", BOOTSTRAP)

    assert response.status_code == 303
    assert response.headers["location"] == "/admin/password"
    user = admin.users.get(LANDLORD, f"admin@{LANDLORD}")
    assert user is not None and user.role is StaffRole.ADMINISTRATOR and user.must_change_password
    # every other page sends the new administrator to the password form first
    assert admin.client.get("/admin/users", follow_redirects=False).headers["location"] == (
        "/admin/password"
    )


def test_bootstrap_is_refused_once_the_landlord_has_an_account(admin):
    admin.add_user("marie@pierre-habitat.fr", StaffRole.COLLABORATOR)

    assert admin.login(f"admin@{LANDLORD}", BOOTSTRAP).status_code == 401
    assert admin.users.get(LANDLORD, f"admin@{LANDLORD}") is None


def test_bootstrap_needs_the_secret_and_a_known_landlord(admin):
    assert admin.login(f"admin@{LANDLORD}", "not the secret").status_code == 401
    assert admin.login("admin@unknown-landlord.fr", BOOTSTRAP).status_code == 401
    assert admin.login(f"root@{OTHER}", BOOTSTRAP).status_code == 401
    assert not admin.users.has_users(LANDLORD)


def test_a_landlords_bootstrap_secret_does_not_bootstrap_another_landlord(admin):
    """Whoever bootstrapped one landlord cannot create another's first administrator."""
    refused = admin.login(f"admin@{OTHER}", BOOTSTRAP)

    assert refused.status_code == 401
    assert not admin.users.has_users(OTHER)
    assert admin.login(f"admin@{OTHER}", OTHER_BOOTSTRAP).status_code == 303
    assert admin.users.get(OTHER, f"admin@{OTHER}") is not None


def test_a_landlord_without_a_bootstrap_secret_cannot_be_bootstrapped(admin, monkeypatch):
    monkeypatch.delitem(BOOTSTRAP_SECRETS, LANDLORD)

    for guess in (BOOTSTRAP, "None", OTHER_BOOTSTRAP):
        assert admin.login(f"admin@{LANDLORD}", guess).status_code == 401
    assert not admin.users.has_users(LANDLORD)


def _change(admin, current: str, new: str, confirm: str | None = None):
    csrf = admin.sign_in_as("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR)
    return admin.client.post(
        "/admin/password",
        data={"csrf": csrf, "current": current, "new": new, "confirm": confirm or new},
        follow_redirects=False,
    )


def test_changing_the_password_checks_the_current_one_and_the_policy(admin):
    admin.add_user("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR, must_change=True)

    assert _change(admin, "wrong current", "a brand new passphrase").status_code == 400
    assert _change(admin, PASSWORD, "short").status_code == 400
    assert _change(admin, PASSWORD, "a brand new passphrase", "a different one").status_code == 400
    assert _change(admin, PASSWORD, "a brand new passphrase").status_code == 303
    user = admin.users.get(LANDLORD, "marie@pierre-habitat.fr")
    assert user is not None and not user.must_change_password


def test_the_bootstrap_secret_cannot_become_the_new_password(admin):
    admin.add_user("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR, must_change=True)

    response = _change(admin, PASSWORD, BOOTSTRAP)

    assert response.status_code == 400
    assert "pas autorisé" in response.text


def test_logout_clears_the_cookie(admin):
    csrf = admin.sign_in_as("marie@pierre-habitat.fr", StaffRole.ADMINISTRATOR)

    response = admin.client.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False)

    assert response.status_code == 303
    assert "Max-Age=0" in response.headers["set-cookie"]


def test_the_login_page_sets_its_own_csrf_cookie_and_security_headers(admin):
    response = admin.client.get("/admin/login")

    assert LOGIN_COOKIE in response.headers["set-cookie"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["cache-control"] == "no-store"
