"""What `make dev` prints: the chat page, the widget demo, the admin, and where each
landlord's first-administrator password is."""

from __future__ import annotations

from pathlib import Path

from pierre_local.__main__ import startup_banner


def test_the_banner_gives_the_pages_to_open_and_where_the_first_password_is(tmp_path: Path):
    # Given a stack up on port 3001 serving one landlord
    secrets_file = tmp_path / ".local" / "secrets.json"

    # When the banner is written
    lines = startup_banner(
        "http://localhost:3001", ["acme-habitat.fr"], secrets_file, fake_cm_url=None
    )
    text = "\n".join(lines)

    # Then it names each page on that port, and the secret's key and file for the landlord
    assert "chat page    http://localhost:3001/\n" in text
    assert "widget demo  http://localhost:3001/demo.html" in text
    assert "admin        http://localhost:3001/admin\n" in text
    (sign_in,) = [line for line in lines if "first sign-in" in line]
    assert "as admin@acme-habitat.fr" in sign_in
    assert '"admin-bootstrap/acme-habitat.fr"' in sign_in
    assert str(secrets_file) in sign_in
    assert "CM (fake)" not in text


def test_the_banner_suggests_make_sms_when_the_fake_cm_runs(tmp_path: Path):
    lines = startup_banner("http://localhost:3000", [], tmp_path, fake_cm_url="http://127.0.0.1:9")
    (fake_cm,) = [line for line in lines if "CM (fake)" in line]
    assert "make sms" in fake_cm and "FROM=" in fake_cm
