"""Given a staff session cookie, when the account logs out, changes password, is demoted or
deleted, then replaying the old cookie opens nothing (the admin side; the chat side is in
tests/functional/test_staff_sessions.py)."""

from __future__ import annotations

from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.sessions import COOKIE_NAME
from tests.unit.admin.harness import LANDLORD, PASSWORD, Admin

MARIE = f"marie@{LANDLORD}"
BOSS = f"chef@{LANDLORD}"


def _cookie_of(
    admin: Admin, email: str, role: StaffRole, landlord: str = LANDLORD
) -> tuple[str, str]:
    csrf = admin.sign_in_as(email, role, landlord)
    token = admin.client.cookies.get(COOKIE_NAME)
    assert token
    return token, csrf


def _replay(admin: Admin, token: str, path: str = "/admin/chat") -> int:
    admin.client.cookies.clear()
    admin.client.cookies.set(COOKIE_NAME, token)
    response = admin.client.get(path, follow_redirects=False)
    if response.status_code == 303:
        assert response.headers["location"] == "/admin/login"
    return response.status_code


def _as_boss(admin: Admin, path: str, **data: str) -> int:
    _, csrf = _cookie_of(admin, BOSS, StaffRole.ADMINISTRATOR)
    response = admin.client.post(path, data={"csrf": csrf, **data}, follow_redirects=False)
    return response.status_code


def test_a_replayed_cookie_after_logout_is_refused(admin):
    token, csrf = _cookie_of(admin, MARIE, StaffRole.COLLABORATOR)
    assert _replay(admin, token) == 200

    logout = admin.client.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False)

    assert logout.status_code == 303
    assert _replay(admin, token) == 303


def test_logout_ends_the_sessions_of_the_account_on_every_device(admin):
    first, csrf = _cookie_of(admin, MARIE, StaffRole.COLLABORATOR)
    second, _ = _cookie_of(admin, MARIE, StaffRole.COLLABORATOR)
    admin.client.cookies.set(COOKIE_NAME, first)

    admin.client.post("/admin/logout", data={"csrf": csrf}, follow_redirects=False)

    assert _replay(admin, second) == 303


def test_changing_ones_password_ends_older_sessions_but_not_the_new_one(admin):
    old, csrf = _cookie_of(admin, MARIE, StaffRole.COLLABORATOR)
    other_device, _ = _cookie_of(admin, MARIE, StaffRole.COLLABORATOR)
    admin.client.cookies.set(COOKIE_NAME, old)
    new_password = "a brand new passphrase"

    changed = admin.client.post(
        "/admin/password",
        data={"csrf": csrf, "current": PASSWORD, "new": new_password, "confirm": new_password},
        follow_redirects=False,
    )

    assert changed.status_code == 303
    set_cookie = changed.headers["set-cookie"]
    assert set_cookie.startswith(f"{COOKIE_NAME}=")
    new = set_cookie.split(";", 1)[0].split("=", 1)[1]
    assert new != old
    assert _replay(admin, old) == 303
    assert _replay(admin, other_device) == 303
    assert _replay(admin, new) == 200


def test_a_password_reset_by_an_administrator_ends_the_accounts_sessions(admin):
    token, _ = _cookie_of(admin, MARIE, StaffRole.COLLABORATOR)

    assert _as_boss(admin, "/admin/users/password", email=MARIE) == 200

    assert _replay(admin, token) == 303


def test_a_role_changed_and_changed_back_does_not_revive_the_session(admin):
    token, _ = _cookie_of(admin, MARIE, StaffRole.COLLABORATOR)

    assert _as_boss(admin, "/admin/users/role", email=MARIE, role="contributor") == 303
    assert _as_boss(admin, "/admin/users/role", email=MARIE, role="collaborator") == 303

    assert _replay(admin, token) == 303


def test_deleting_an_account_ends_its_sessions_even_if_the_address_comes_back(admin):
    token, _ = _cookie_of(admin, MARIE, StaffRole.COLLABORATOR)

    assert _as_boss(admin, "/admin/users/delete", email=MARIE) == 303
    assert _replay(admin, token) == 303
    admin.add_user(MARIE, StaffRole.COLLABORATOR)

    assert _replay(admin, token) == 303
