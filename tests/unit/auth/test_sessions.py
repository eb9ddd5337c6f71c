"""Session cookies: what the admin issues, the chat function can trust, and nothing else."""

from __future__ import annotations

import time

import pytest

from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.sessions import SessionCodec
from pierre_rag.auth.users import User

SECRET = "s" * 32


def _user(email: str = "a@b.fr", role: StaffRole = StaffRole.ADMINISTRATOR, epoch: int = 7) -> User:
    return User(email, "exemple-hlm.fr", role, "", "hash", session_epoch=epoch)


def test_an_issued_session_reads_back_with_the_accounts_role_and_epoch():
    codec = SessionCodec(SECRET)
    token, session = codec.issue(_user("ana@exemple-hlm.fr", StaffRole.COLLABORATOR, epoch=41))

    assert codec.read(token) == session
    assert (session.landlord, session.role, session.epoch) == (
        "exemple-hlm.fr",
        StaffRole.COLLABORATOR,
        41,
    )


@pytest.mark.parametrize("token", [None, "", "garbage", "a.b.c", "x" * 5000])
def test_malformed_tokens_are_no_session(token):
    assert SessionCodec(SECRET).read(token) is None


def test_a_token_signed_with_another_secret_is_refused():
    token, _ = SessionCodec("o" * 32).issue(_user())

    assert SessionCodec(SECRET).read(token) is None


def test_an_expired_token_is_refused(monkeypatch):
    codec = SessionCodec(SECRET, lifetime_s=60)
    token, _ = codec.issue(_user())
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3600)

    assert codec.read(token) is None


def test_cookie_flags():
    codec = SessionCodec(SECRET)
    header = codec.cookie_header("tok")

    for flag in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/"):
        assert flag in header
    assert "Secure" not in codec.cookie_header("tok", secure=False)
    with pytest.raises(ValueError):
        SessionCodec("short")


def test_a_cookie_without_a_session_epoch_is_refused():
    """Cookies issued before the epoch existed cannot be checked against the account."""
    from itsdangerous import URLSafeTimedSerializer

    payload = {"e": "a@b.fr", "t": "exemple-hlm.fr", "r": "administrator", "c": "x", "i": 1}
    for salt in ("pierre.session.v1", "pierre.session.v2"):
        token = URLSafeTimedSerializer(SECRET, salt=salt).dumps(payload)

        assert SessionCodec(SECRET).read(token) is None
