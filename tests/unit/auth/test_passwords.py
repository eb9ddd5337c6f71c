"""Passwords: argon2id for chosen ones, a fast salted HMAC for generated one-time passwords."""

from __future__ import annotations

import math

import pytest

from pierre_rag.auth import passwords
from pierre_rag.auth.passwords import (
    generate_password,
    hash_one_time_password,
    hash_password,
    verify_password,
)


class CountingHasher:
    """Wraps argon2's hasher to count the memory-hard operations."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.hashes = 0
        self.verifies = 0

    def hash(self, password: str) -> str:
        self.hashes += 1
        return self.real.hash(password)  # type: ignore[attr-defined,no-any-return]

    def verify(self, password_hash: str, password: str) -> bool:
        self.verifies += 1
        return self.real.verify(password_hash, password)  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def argon2(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher(passwords._HASHER)
    monkeypatch.setattr(passwords, "_HASHER", counting)
    return counting


def test_a_one_time_password_carries_at_least_128_random_bits():
    password = generate_password()

    bits = len(password) * math.log2(len(set(passwords._OTP_ALPHABET)))
    assert bits >= 128
    with pytest.raises(ValueError, match="at least"):
        generate_password(16)


def test_a_one_time_password_hash_verifies_without_a_memory_hard_hash(argon2):
    # Given a generated one-time password
    password = generate_password()

    # When it is hashed
    stored = hash_one_time_password(password)

    # Then no argon2 hash was computed, it is salted, and only that password verifies
    assert argon2.hashes == 0
    assert stored != hash_one_time_password(password)
    assert verify_password(stored, password)
    assert not verify_password(stored, password[:-1])
    assert not verify_password(stored, password + "x")


def test_checking_a_one_time_password_costs_what_checking_any_account_costs(argon2):
    # Given an account holding a one-time password, and no account at all
    stored = hash_one_time_password(generate_password())

    # When a sign-in is checked against each
    verify_password(stored, "wrong guess")
    after_one_time = argon2.verifies
    verify_password(None, "wrong guess")

    # Then both paths ran one argon2 verify: the time does not reveal the pending account
    assert after_one_time == 1
    assert argon2.verifies == 2


@pytest.mark.parametrize(
    "stored", ["otp-hmac-sha256$", "otp-hmac-sha256$@@@$###", "otp-hmac-sha256$a$b$c"]
)
def test_a_corrupt_one_time_hash_never_verifies(stored):
    assert not verify_password(stored, "anything")


def test_chosen_passwords_stay_argon2id():
    stored = hash_password("correct horse battery staple")

    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse battery staple")
