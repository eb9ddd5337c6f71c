"""Roles of landlord staff and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATOR = "administrator"  # everything of its landlord
    CONTRIBUTOR = "contributor"  # knowledge pages
    COLLABORATOR = "collaborator"  # the landlord's protected chat contexts only


def may_use_protected_chat(role: Role) -> bool:
    return role in (Role.ADMINISTRATOR, Role.COLLABORATOR)
