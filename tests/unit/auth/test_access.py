"""The capability table: what each staff role may do, and what a one-time password opens."""

from __future__ import annotations

import pytest

from pierre_rag.auth.access import (
    ROLE_CAPABILITIES,
    Capability,
    StaffRole,
    may,
    opens_before_password_change,
)
from pierre_rag.auth.principal import StaffPrincipal
from pierre_rag.auth.sessions import Session
from pierre_rag.auth.users import User

A, K, C = StaffRole.ADMINISTRATOR, StaffRole.CONTRIBUTOR, StaffRole.COLLABORATOR
LANDLORD = "exemple-hlm.fr"
# The product's rules (docs/admin.md): administrators do everything of their landlord,
# contributors work on the knowledge, collaborators reach the protected chat contexts only.
EXPECTED = {
    Capability.MANAGE_OWN_ACCOUNT: {A, K, C},
    Capability.REVIEW_CONVERSATIONS: {A},
    Capability.VIEW_STATISTICS: {A},
    Capability.MANAGE_USERS: {A},
    Capability.BROWSE_KNOWLEDGE: {A, K},
    Capability.USE_PROTECTED_CHAT: {A, C},
    Capability.MANAGE_FAILED_SMS: {A},
    Capability.EDIT_KNOWLEDGE: {A, K},
    Capability.PUBLISH_KNOWLEDGE: {A},
    Capability.EDIT_SETTINGS: {A},
    Capability.HANDLE_DATA_REQUESTS: {A},
}


def _principal(role: StaffRole, *, must_change_password: bool = False) -> StaffPrincipal:
    user = User(f"ana@{LANDLORD}", LANDLORD, role, "Ana", "hash", must_change_password)
    return StaffPrincipal(Session(user.email, LANDLORD, role, "csrf", 0, 0), user)


def test_every_role_has_an_entry_and_every_capability_a_rule():
    assert set(ROLE_CAPABILITIES) == set(StaffRole)
    assert set(EXPECTED) == set(Capability)


@pytest.mark.parametrize("capability", list(Capability), ids=str)
@pytest.mark.parametrize("role", list(StaffRole), ids=str)
def test_each_role_holds_exactly_the_capabilities_of_the_product_rules(role, capability):
    # given a role and a capability
    # when the table is asked
    allowed = may(role, capability)
    # then it answers as the product's rules say
    assert allowed is (role in EXPECTED[capability])


def test_the_administrator_holds_every_capability_even_one_added_later():
    assert ROLE_CAPABILITIES[A] == frozenset(Capability)


def test_every_role_may_change_its_password_and_sign_out():
    assert all(may(role, Capability.MANAGE_OWN_ACCOUNT) for role in StaffRole)


def test_the_table_cannot_be_changed_at_run_time():
    with pytest.raises(TypeError):
        ROLE_CAPABILITIES[K] = frozenset(Capability)  # type: ignore[index]
    with pytest.raises(AttributeError):
        ROLE_CAPABILITIES[K].add(Capability.MANAGE_USERS)  # type: ignore[attr-defined]


def test_a_one_time_password_opens_only_the_means_to_replace_it():
    opened = {capability for capability in Capability if opens_before_password_change(capability)}

    assert opened == {Capability.MANAGE_OWN_ACCOUNT}


@pytest.mark.parametrize("capability", list(Capability), ids=str)
@pytest.mark.parametrize("role", list(StaffRole), ids=str)
def test_a_principal_with_its_chosen_password_may_what_its_role_may(role, capability):
    principal = _principal(role)

    assert principal.may(capability) is (role in EXPECTED[capability])


@pytest.mark.parametrize("capability", list(Capability), ids=str)
def test_an_administrator_holding_a_one_time_password_may_only_replace_it(capability):
    # given an administrator created or reset with a one-time password
    principal = _principal(A, must_change_password=True)
    # when it asks for anything
    allowed = principal.may(capability)
    # then only managing its own account is open
    assert allowed is (capability is Capability.MANAGE_OWN_ACCOUNT)


@pytest.mark.parametrize(
    ("role", "must_change_password", "landlord", "expected"),
    [
        (A, False, LANDLORD, True),
        (C, False, LANDLORD, True),
        (K, False, LANDLORD, False),
        (C, True, LANDLORD, False),
        (C, False, "autre-hlm.fr", False),
    ],
    ids=["administrator", "collaborator", "contributor", "one-time password", "other landlord"],
)
def test_the_protected_chat_opens_by_the_table_at_the_principals_own_landlord(
    role, must_change_password, landlord, expected
):
    principal = _principal(role, must_change_password=must_change_password)

    assert principal.may_chat_in_protected_context(landlord) is expected
