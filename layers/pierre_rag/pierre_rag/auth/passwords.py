"""Password hashing (argon2id) and the password policy of staff accounts."""

from __future__ import annotations

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


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an absent or corrupt hash still costs one verify."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def generate_password(length: int = 16) -> str:
    """A one-time password without look-alike characters (shown once to the administrator)."""
    return "".join(secrets.choice(_OTP_ALPHABET) for _ in range(length))


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
