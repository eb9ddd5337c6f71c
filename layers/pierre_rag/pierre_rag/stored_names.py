"""Names written into DynamoDB before landlords were called landlords in the code.

Stored names kept from 0.1.0: renaming any of them would orphan existing data (keys no longer
found, an index to rebuild, attributes no longer read), so the code says ``landlord`` and
the table still says ``tenant``. Each lives here once; nothing else spells them.
"""

from __future__ import annotations

LANDLORD_KEY_PREFIX = "TENANT#"  # stored name: users' pk, conversations' gsi1pk
LANDLORD_ATTRIBUTE = "tenant"  # stored name: of users, logins, conversation META, SMS opt-outs
BY_LANDLORD_DAY_INDEX = "by-tenant-day"  # stored name: the conversations table's GSI


def landlord_key(landlord: str) -> str:
    """A landlord's partition in stored keys, e.g. ``TENANT#pierre-habitat.fr``."""
    return f"{LANDLORD_KEY_PREFIX}{landlord}"
