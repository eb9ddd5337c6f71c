"""Users: create, change role, reset password (shown once), delete, CSV import with preview."""

from __future__ import annotations

import re

import pytest

from pierre_rag.auth import passwords
from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.passwords import verify_password
from pierre_rag.auth.user_import import MAX_ROWS
from tests.unit.admin.harness import LANDLORD, OTHER

ME = f"me@{LANDLORD}"


def _otp(html: str) -> str:
    match = re.search(r'<code class="big">([^<]+)</code>', html)
    assert match, html
    return match.group(1)


def test_creating_a_user_shows_a_one_time_password_once(admin):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)

    response = admin.client.post(
        "/admin/users",
        data={"csrf": csrf, "email": f"Nina@{LANDLORD}", "role": "contributor", "name": "Nina"},
    )

    assert response.status_code == 200
    password = _otp(response.text)
    user = admin.users.get(LANDLORD, f"nina@{LANDLORD}")
    assert user is not None and user.role is StaffRole.CONTRIBUTOR and user.must_change_password
    assert verify_password(user.password_hash, password)
    assert password not in admin.client.get("/admin/users").text


def test_an_administrator_may_set_the_password_which_is_never_displayed(admin):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)
    chosen = "chosen by the administrator"

    response = admin.client.post(
        "/admin/users",
        data={
            "csrf": csrf,
            "email": f"nina@{LANDLORD}",
            "role": "collaborator",
            "mode": "set",
            "password": chosen,
        },
    )

    assert response.status_code == 200
    assert chosen not in response.text
    user = admin.users.get(LANDLORD, f"nina@{LANDLORD}")
    assert user is not None and verify_password(user.password_hash, chosen)


def test_creating_refuses_bad_input_and_duplicates_even_across_landlords(admin):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)
    admin.add_user("taken@partenaire.example", StaffRole.COLLABORATOR, landlord=OTHER)

    bad_email = admin.client.post(
        "/admin/users", data={"csrf": csrf, "email": "nope", "role": "contributor"}
    )
    bad_role = admin.client.post(
        "/admin/users", data={"csrf": csrf, "email": f"x@{LANDLORD}", "role": "king"}
    )
    taken = admin.client.post(
        "/admin/users",
        data={"csrf": csrf, "email": "taken@partenaire.example", "role": "contributor"},
    )

    assert (bad_email.status_code, bad_role.status_code, taken.status_code) == (400, 400, 409)
    assert [user.email for user in admin.users.list(LANDLORD)] == [ME]


@pytest.mark.parametrize(
    "email", [f"admin@{OTHER}", f"Jeanne@{OTHER.upper()}", f"agent@agence.{OTHER}"]
)
def test_an_address_of_another_landlords_domain_is_refused_by_the_form(admin, email):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)

    response = admin.client.post(
        "/admin/users", data={"csrf": csrf, "email": email, "role": "administrator"}
    )

    assert response.status_code == 400
    assert f"appartient au domaine d&#39;un autre bailleur ({OTHER})" in response.text
    assert admin.users.landlord_of(email) is None


def test_an_address_of_ones_own_domain_or_an_outside_one_is_accepted(admin):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)

    for email in (f"agent@agence.{LANDLORD}", "prestataire@exemple.org"):
        response = admin.client.post(
            "/admin/users", data={"csrf": csrf, "email": email, "role": "collaborator"}
        )

        assert response.status_code == 200, response.text
        assert admin.users.landlord_of(email) == LANDLORD


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(admin):
    admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)
    admin.add_user(f"target@{LANDLORD}", StaffRole.COLLABORATOR)

    responses = [
        admin.client.post(
            "/admin/users", data={"email": f"new@{LANDLORD}", "role": "administrator"}
        ),
        admin.client.post(
            "/admin/users/role",
            data={"csrf": "wrong", "email": f"target@{LANDLORD}", "role": "administrator"},
        ),
        admin.client.post("/admin/users/delete", data={"csrf": "", "email": f"target@{LANDLORD}"}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert [u.email for u in admin.users.list(LANDLORD)] == [ME, f"target@{LANDLORD}"]
    target = admin.users.get(LANDLORD, f"target@{LANDLORD}")
    assert target is not None and target.role is StaffRole.COLLABORATOR


def test_role_change_reset_and_delete(admin):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)
    admin.add_user(f"target@{LANDLORD}", StaffRole.COLLABORATOR)
    form = {"csrf": csrf, "email": f"target@{LANDLORD}"}

    role = admin.client.post(
        "/admin/users/role", data={**form, "role": "contributor"}, follow_redirects=False
    )
    reset = admin.client.post("/admin/users/password", data=form)
    user = admin.users.get(LANDLORD, f"target@{LANDLORD}")
    assert user is not None
    confirm = admin.client.get(f"/admin/users/delete?email=target@{LANDLORD}")
    delete = admin.client.post("/admin/users/delete", data=form, follow_redirects=False)

    assert role.status_code == 303 and user.role is StaffRole.CONTRIBUTOR
    assert verify_password(user.password_hash, _otp(reset.text)) and user.must_change_password
    assert "Supprimer définitivement" in confirm.text
    assert delete.status_code == 303
    assert admin.users.get(LANDLORD, f"target@{LANDLORD}") is None
    assert admin.users.landlord_of(f"target@{LANDLORD}") is None


def test_an_administrator_cannot_demote_or_delete_itself(admin):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)

    demote = admin.client.post(
        "/admin/users/role", data={"csrf": csrf, "email": ME, "role": "collaborator"}
    )
    delete = admin.client.post("/admin/users/delete", data={"csrf": csrf, "email": ME})

    assert demote.status_code == delete.status_code == 400
    me = admin.users.get(LANDLORD, ME)
    assert me is not None and me.role is StaffRole.ADMINISTRATOR


def test_a_role_change_ends_the_sessions_of_that_user(admin):
    admin.sign_in_as(f"target@{LANDLORD}", StaffRole.COLLABORATOR)
    admin.users.set_role(LANDLORD, f"target@{LANDLORD}", StaffRole.ADMINISTRATOR)

    response = admin.client.get("/admin/users", follow_redirects=False)

    assert response.headers["location"] == "/admin/login"


CSV = f"""email;rôle;nom
ok@{LANDLORD};collaborateur;Olivier
bad-address;contributor;
dup@{LANDLORD};contributor;
dup@{LANDLORD};contributor;
me@{LANDLORD};administrator;
unknown@{LANDLORD};chef;
"""


def test_the_import_preview_lists_each_row_error_and_writes_nothing(admin):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)

    response = admin.client.post("/admin/users/import", data={"csrf": csrf, "csv_text": CSV})

    assert response.status_code == 400
    for message in (
        "adresse e-mail invalide",
        "adresse en double dans le fichier",
        "un compte existe déjà pour cette adresse",
        "rôle inconnu « chef »",
    ):
        assert message in response.text
    assert "Confirmer" not in response.text
    assert [u.email for u in admin.users.list(LANDLORD)] == [ME]


def test_a_confirmed_clean_import_creates_the_accounts_with_one_time_passwords(admin):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)
    text = f"ana@{LANDLORD},collaborator,Ana\nbob@{LANDLORD},contributeur\n"

    preview = admin.client.post("/admin/users/import", data={"csrf": csrf, "csv_text": text})
    assert preview.status_code == 200 and "Confirmer et créer 2 compte(s)" in preview.text
    assert admin.users.get(LANDLORD, f"ana@{LANDLORD}") is None

    done = admin.client.post(
        "/admin/users/import", data={"csrf": csrf, "csv_text": text, "action": "confirm"}
    )

    assert done.status_code == 200
    ana = admin.users.get(LANDLORD, f"ana@{LANDLORD}")
    bob = admin.users.get(LANDLORD, f"bob@{LANDLORD}")
    assert ana is not None and ana.role is StaffRole.COLLABORATOR and ana.name == "Ana"
    assert bob is not None and bob.role is StaffRole.CONTRIBUTOR
    passwords = re.findall(r"<td><code>([^<]+)</code></td>", done.text)
    assert len(passwords) == 2 and verify_password(ana.password_hash, passwords[0])


def test_a_confirm_with_a_bad_row_creates_nothing(admin):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)

    response = admin.client.post(
        "/admin/users/import",
        data={
            "csrf": csrf,
            "csv_text": f"ana@{LANDLORD},collaborator\nbad,collaborator",
            "action": "confirm",
        },
    )

    assert response.status_code == 400
    assert admin.users.get(LANDLORD, f"ana@{LANDLORD}") is None


def test_the_import_accepts_an_uploaded_file(admin):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)

    response = admin.client.post(
        "/admin/users/import",
        data={"csrf": csrf, "action": "preview"},
        files={
            "csv_file": ("users.csv", f"\ufeffana@{LANDLORD},collaborator\n".encode(), "text/csv")
        },
    )

    assert response.status_code == 200
    assert f"ana@{LANDLORD}" in response.text and "prêt" in response.text


@pytest.mark.parametrize("action", ["preview", "confirm"])
def test_the_import_refuses_each_row_at_another_landlords_domain(admin, action):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)
    text = f"ana@{LANDLORD},collaborator\nadmin@{OTHER},administrator\n"

    response = admin.client.post(
        "/admin/users/import", data={"csrf": csrf, "csv_text": text, "action": action}
    )

    assert response.status_code == 400
    assert f"appartient au domaine d&#39;un autre bailleur ({OTHER})" in response.text
    assert admin.users.landlord_of(f"admin@{OTHER}") is None
    assert admin.users.get(LANDLORD, f"ana@{LANDLORD}") is None


def test_an_import_of_200_accounts_computes_no_memory_hard_hash(admin, monkeypatch):
    # Given a clean CSV of the maximum size, and argon2 hashing counted from now on
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)
    text = "".join(f"user{i}@{LANDLORD},collaborator\n" for i in range(MAX_ROWS))
    argon2_hashes: list[str] = []
    real = passwords._HASHER

    class CountingHasher:
        def hash(self, password: str) -> str:
            argon2_hashes.append(password)
            return real.hash(password)

        def verify(self, password_hash: str, password: str) -> bool:
            return real.verify(password_hash, password)

    monkeypatch.setattr(passwords, "_HASHER", CountingHasher())

    # When the import is confirmed
    done = admin.client.post(
        "/admin/users/import", data={"csrf": csrf, "csv_text": text, "action": "confirm"}
    )

    # Then every account exists, must change its password, and its one-time password is shown
    assert done.status_code == 200
    assert argon2_hashes == []  # 200 argon2id hashes took ~20 s against a 29 s timeout
    shown = re.findall(r"<td>([^<]+)</td><td><code>([^<]+)</code></td>", done.text)
    assert len(shown) == MAX_ROWS
    email, password = shown[-1]
    user = admin.users.get(LANDLORD, email)
    assert user is not None and user.must_change_password
    assert verify_password(user.password_hash, password)


def test_a_failed_write_during_an_import_keeps_the_passwords_of_the_accounts_made(
    admin, monkeypatch
):
    # Given a three-row import whose second write fails (throttling, say)
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)
    text = (
        f"ana@{LANDLORD},collaborator\nbob@{LANDLORD},collaborator\ncyd@{LANDLORD},collaborator\n"
    )
    real_create = admin.users.create

    def flaky_create(landlord, email, *args, **kwargs):
        if email.startswith("bob@"):
            raise RuntimeError("ProvisionedThroughputExceededException")
        return real_create(landlord, email, *args, **kwargs)

    monkeypatch.setattr(admin.users, "create", flaky_create)

    # When the import is confirmed
    done = admin.client.post(
        "/admin/users/import", data={"csrf": csrf, "csv_text": text, "action": "confirm"}
    )

    # Then the page still shows the two one-time passwords, and names the row not created
    assert done.status_code == 200
    shown = dict(re.findall(r"<td>([^<]+)</td><td><code>([^<]+)</code></td>", done.text))
    assert set(shown) == {f"ana@{LANDLORD}", f"cyd@{LANDLORD}"}
    for email, password in shown.items():
        user = admin.users.get(LANDLORD, email)
        assert user is not None and verify_password(user.password_hash, password)
    assert f"bob@{LANDLORD}" in done.text and admin.users.get(LANDLORD, f"bob@{LANDLORD}") is None


def test_an_import_over_the_row_cap_is_refused_with_what_to_do(admin):
    csrf = admin.sign_in_as(ME, StaffRole.ADMINISTRATOR)
    text = "".join(f"user{i}@{LANDLORD},collaborator\n" for i in range(MAX_ROWS + 1))

    response = admin.client.post("/admin/users/import", data={"csrf": csrf, "csv_text": text})

    assert response.status_code == 400
    assert f"plus de {MAX_ROWS} comptes" in response.text and "découpez" in response.text
    assert [u.email for u in admin.users.list(LANDLORD)] == [ME]
