"""Which landlord an e-mail address belongs to, by its domain.

A landlord's id is its domain name (``pierre-habitat.fr``). An address at that domain, or at
one of its subdomains, is that landlord's: no other landlord may create an account for it.
Otherwise landlord A could take ``admin@<B's domain>`` (an address is one account across all
landlords) and B's first administrator could never sign in.
"""

from __future__ import annotations

from collections.abc import Collection


def landlord_of_address(email: str, landlords: Collection[str]) -> str | None:
    """The configured landlord whose domain holds ``email`` (the most specific one when a
    landlord's domain is a subdomain of another's), or None."""
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    owners = [
        landlord
        for landlord in landlords
        if domain == landlord.lower() or domain.endswith("." + landlord.lower())
    ]
    return max(owners, key=len, default=None)


def foreign_address_problem(email: str, landlord: str, landlords: Collection[str]) -> str | None:
    """Why ``landlord`` may not create an account for ``email`` (French, shown to the
    administrator), or None when the address is not another landlord's."""
    owner = landlord_of_address(email, landlords)
    if owner is None or owner == landlord:
        return None
    return f"cette adresse appartient au domaine d'un autre bailleur ({owner})"
