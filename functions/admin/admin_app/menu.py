"""The admin's menu, and each role's home page: the first entry of its menu.

Each entry names the capability its page's route requires (``pierre_rag.auth.access``), so a
role sees exactly the pages it may open, and lands on one of them after signing in.
"""

from __future__ import annotations

from typing import NamedTuple

from pierre_rag.auth.access import Capability, StaffRole, may


class MenuEntry(NamedTuple):
    href: str
    label: str
    capability: Capability


MENU = (
    MenuEntry("/admin/conversations", "Conversations", Capability.REVIEW_CONVERSATIONS),
    MenuEntry("/admin/backlog", "À améliorer", Capability.REVIEW_CONVERSATIONS),
    MenuEntry("/admin/validated", "Réponses validées", Capability.REVIEW_CONVERSATIONS),
    MenuEntry("/admin/stats", "Statistiques", Capability.VIEW_STATISTICS),
    MenuEntry("/admin/users", "Utilisateurs", Capability.MANAGE_USERS),
    MenuEntry("/admin/knowledge", "Connaissances", Capability.BROWSE_KNOWLEDGE),
    MenuEntry("/admin/chat", "Chat interne", Capability.USE_PROTECTED_CHAT),
    MenuEntry("/admin/sms/failed", "SMS en échec", Capability.MANAGE_FAILED_SMS),
    MenuEntry("/admin/data-requests", "Demandes RGPD", Capability.HANDLE_DATA_REQUESTS),
    MenuEntry("/admin/settings", "Réglages", Capability.EDIT_SETTINGS),
)


def menu_for(role: StaffRole) -> list[MenuEntry]:
    """The entries ``role`` may open, in menu order."""
    return [entry for entry in MENU if may(role, entry.capability)]


def home_for(role: StaffRole) -> str:
    """Where ``role`` lands after signing in: the first page of its menu."""
    entries = menu_for(role)
    if not entries:
        raise LookupError(f"the role {role} may open no page of the menu")
    return entries[0].href
