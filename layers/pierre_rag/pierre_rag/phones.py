"""Phone numbers: one canonical E.164 form, so routing and pseudonymisation agree."""

from __future__ import annotations

import hashlib
import hmac
import re

_SEPARATORS = re.compile(r"[\s.\-()/]")


class InvalidPhoneNumberError(ValueError):
    pass


def normalise_phone(raw: str, default_country_code: str = "33") -> str:
    """``+33 1 99 00 00 01``, ``0033199000001`` and ``01 99 00 00 01`` → ``+33199000001``."""
    number = _SEPARATORS.sub("", raw.strip())
    if number.startswith("00"):
        number = "+" + number[2:]
    elif number.startswith("0") and len(number) == 10:
        number = f"+{default_country_code}{number[1:]}"
    elif number.isdigit() and number.startswith(default_country_code) and len(number) == 11:
        number = "+" + number  # CM.com sends international numbers without "+" or "00"
    # ASCII digits only: ``\d`` matches every script's digits (Arabic-Indic, fullwidth…),
    # which no carrier routes and which would give one person two keyed hashes.
    if not re.fullmatch(r"\+[1-9][0-9]{6,14}", number):
        raise InvalidPhoneNumberError(f"not a phone number: {raw[:32]!r}")
    return number


def pseudonymise_phone(number: str, key: bytes) -> str:
    """A keyed hash: stable per number (one conversation per number), not reversible."""
    digest = hmac.new(key, normalise_phone(number).encode(), hashlib.sha256).hexdigest()
    return f"tel_{digest[:32]}"
