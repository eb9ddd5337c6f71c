"""Staff roles and what each may do: the one capability table of every function.

A route, a menu entry or a chat context asks for a *capability* (what is being done), never
for a list of roles (who does it): the admin's route guards, its menu and the chat's protected
contexts all read :data:`ROLE_CAPABILITIES` through :func:`may`, so giving a role a right is
one line here, and a page can no longer be shown in the menu of a role its route refuses.
``docs/admin.md`` holds the same table, checked against this one by the unit tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class StaffRole(StrEnum):
    """The job of a landlord's staff account (stored on the account and in its cookie).

    Not the speaker of a conversation turn (``user`` / ``assistant``), which is
    :data:`pierre_rag.conversations.Role`.
    """

    ADMINISTRATOR = "administrator"  # everything of its landlord
    CONTRIBUTOR = "contributor"  # the knowledge pages, sources edited included
    COLLABORATOR = "collaborator"  # the landlord's protected chat contexts only


class Capability(StrEnum):
    MANAGE_OWN_ACCOUNT = "manage-own-account"  # change one's password, sign out
    REVIEW_CONVERSATIONS = "review-conversations"  # list, read, score, export, erase
    VIEW_STATISTICS = "view-statistics"
    MANAGE_USERS = "manage-users"  # create, import, change role, reset, delete
    BROWSE_KNOWLEDGE = "browse-knowledge"  # staff knowledge included, search playground
    USE_PROTECTED_CHAT = "use-protected-chat"  # the landlord's staff-only chat contexts
    MANAGE_FAILED_SMS = "manage-failed-sms"  # the dead-letter queue: re-drive or delete
    # upload, replace, edit, delete and restore sources; control questions; request a build
    EDIT_KNOWLEDGE = "edit-knowledge"
    PUBLISH_KNOWLEDGE = "publish-knowledge"  # confirm a build held by its controls, roll back
    EDIT_SETTINGS = "edit-settings"  # greeting, examples, contact, colours, widget origins
    # a tenant's RGPD request: find an SMS number's or a conversation's data, export, erase
    HANDLE_DATA_REQUESTS = "handle-data-requests"


_ADMINISTRATOR = frozenset(Capability)
ROLE_CAPABILITIES: Mapping[StaffRole, frozenset[Capability]] = MappingProxyType(
    {
        StaffRole.ADMINISTRATOR: _ADMINISTRATOR,
        StaffRole.CONTRIBUTOR: frozenset(
            {
                Capability.MANAGE_OWN_ACCOUNT,
                Capability.BROWSE_KNOWLEDGE,
                Capability.EDIT_KNOWLEDGE,
            }
        ),
        StaffRole.COLLABORATOR: frozenset(
            {Capability.MANAGE_OWN_ACCOUNT, Capability.USE_PROTECTED_CHAT}
        ),
    }
)
# A one-time password (a new account, a reset) opens nothing but the means to replace it.
OPEN_BEFORE_PASSWORD_CHANGE = frozenset({Capability.MANAGE_OWN_ACCOUNT})


def may(role: StaffRole, capability: Capability) -> bool:
    """Whether ``role`` holds ``capability`` (an unknown role holds nothing)."""
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


def opens_before_password_change(capability: Capability) -> bool:
    """Whether an account that still holds a one-time password may use ``capability``."""
    return capability in OPEN_BEFORE_PASSWORD_CHANGE
