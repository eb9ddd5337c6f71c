"""The bootstrap secret of each landlord's first administrator.

Signing in as ``admin@<landlord id>`` with that landlord's own secret, while the landlord has
no account at all, creates its first administrator. One secret per landlord (the SSM
parameter ``<prefix>/admin-bootstrap/<landlord id>``), so that whoever bootstraps one landlord
learns nothing that opens another. A landlord without the parameter cannot be bootstrapped.
"""

from __future__ import annotations

BOOTSTRAP_LOCAL_PART = "admin"
BOOTSTRAP_SECRET_FOLDER = "admin-bootstrap"  # noqa: S105 (a parameter path, not a secret)


def bootstrap_secret_name(landlord: str) -> str:
    """The secret's name under the secrets prefix (SSM), also its key in the local stack's
    ``.local/secrets.json``."""
    return f"{BOOTSTRAP_SECRET_FOLDER}/{landlord}"


def bootstrap_address(landlord: str) -> str:
    return f"{BOOTSTRAP_LOCAL_PART}@{landlord}"
