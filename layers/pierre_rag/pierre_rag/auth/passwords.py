"""Password hashing and the password policy of staff accounts.

Chosen passwords are hashed with argon2id (memory-hard: people pick guessable ones). One-time
passwords are generated here with ≥ 128 bits of randomness, so a memory-hard hash adds nothing:
they get a salted HMAC-SHA-256 (microseconds instead of ~0.1 s), which keeps an import of
hundreds of accounts far inside the Lambda timeout. An account holding one must choose its own
password at first sign-in (``must_change_password``), which replaces it with an argon2id hash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256
# argon2-cffi's defaults are argon2id, t=3, m=64 MiB, p=4 (RFC 9106 "second choice").
_HASHER = PasswordHasher()
# Verified against when the account does not exist, so both paths cost one argon2 verify.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ONE_TIME_BITS = 128
ONE_TIME_LENGTH = math.ceil(ONE_TIME_BITS / math.log2(len(_OTP_ALPHABET)))  # 23 characters
_ONE_TIME_PREFIX = "otp-hmac-sha256$"


def hash_password(password: str) -> str:
    """For passwords people choose (argon2id)."""
    return _HASHER.hash(password)


def hash_one_time_password(password: str) -> str:
    """For :func:`generate_password` output only (≥ 128 random bits): salted HMAC-SHA-256."""
    salt = secrets.token_bytes(16)
    return f"{_ONE_TIME_PREFIX}{_b64(salt)}${_b64(_one_time_digest(salt, password))}"


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an absent or corrupt hash still costs one verify, and so
    does a one-time password's hash (its cost must not tell which accounts hold one)."""
    if password_hash is not None and password_hash.startswith(_ONE_TIME_PREFIX):
        matches = _verify_one_time(password_hash, password)
        _argon2_verify(_DUMMY_HASH, password)
        return matches
    return _argon2_verify(password_hash or _DUMMY_HASH, password) and password_hash is not None


def generate_password(length: int = ONE_TIME_LENGTH) -> str:
    """A one-time password without look-alike characters (shown once to the administrator)."""
    if length < ONE_TIME_LENGTH:
        raise ValueError(f"a one-time password needs at least {ONE_TIME_LENGTH} characters")
    return "".join(secrets.choice(_OTP_ALPHABET) for _ in range(length))


def _argon2_verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _one_time_digest(salt: bytes, password: str) -> bytes:
    return hmac.new(salt, password.encode("utf-8"), hashlib.sha256).digest()


def _verify_one_time(password_hash: str, password: str) -> bool:
    try:
        salt_text, digest_text = password_hash.removeprefix(_ONE_TIME_PREFIX).split("$")
        salt, digest = _unb64(salt_text), _unb64(digest_text)
    except ValueError:
        return False
    return hmac.compare_digest(_one_time_digest(salt, password), digest)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def password_problem(password: str, *, email: str, forbidden: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is refused (French, shown to the user), or None when acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Le mot de passe doit contenir au moins {MIN_LENGTH} caractères."
    if len(password) > MAX_LENGTH:
        return f"Le mot de passe doit contenir au plus {MAX_LENGTH} caractères."
    if password.strip().lower() == email.strip().lower():
        return "Le mot de passe ne peut pas être votre adresse e-mail."
    if any(secrets.compare_digest(password.encode(), bad.encode()) for bad in forbidden if bad):
        return "Ce mot de passe n'est pas autorisé : choisissez-en un nouveau."
    return None
