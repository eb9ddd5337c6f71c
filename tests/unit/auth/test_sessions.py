"""Session cookies: what the admin issues, the chat function can trust, and nothing else."""

from __future__ import annotations

import time

import pytest

from pierre_rag.auth.roles import Role
from pierre_rag.auth.sessions import SessionCodec

SECRET = "s" * 32


def test_an_issued_session_reads_back():
    codec = SessionCodec(SECRET)
    token, session = codec.issue("ana@exemple-hlm.fr", "exemple-hlm.fr", Role.COLLABORATOR)

    assert codec.read(token) == session
    assert session.may_chat_in_protected_context("exemple-hlm.fr")
    assert not session.may_chat_in_protected_context("autre-hlm.fr")


def test_contributors_do_not_get_protected_chat():
    codec = SessionCodec(SECRET)
    token, _ = codec.issue("c@exemple-hlm.fr", "exemple-hlm.fr", Role.CONTRIBUTOR)

    session = codec.read(token)
    assert session is not None and not session.may_chat_in_protected_context("exemple-hlm.fr")


@pytest.mark.parametrize("token", [None, "", "garbage", "a.b.c", "x" * 5000])
def test_malformed_tokens_are_no_session(token):
    assert SessionCodec(SECRET).read(token) is None


def test_a_token_signed_with_another_secret_is_refused():
    token, _ = SessionCodec("o" * 32).issue("a@b.fr", "exemple-hlm.fr", Role.ADMINISTRATOR)

    assert SessionCodec(SECRET).read(token) is None


def test_an_expired_token_is_refused(monkeypatch):
    codec = SessionCodec(SECRET, lifetime_s=60)
    token, _ = codec.issue("a@b.fr", "exemple-hlm.fr", Role.ADMINISTRATOR)
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
