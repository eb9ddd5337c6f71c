"""The one staff check shared by the admin and the chat: a cookie counts only while its
account still exists at its landlord with the same role and session epoch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import pytest

from pierre_local.resources import LocalResources
from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.principal import staff_principal
from pierre_rag.auth.sessions import SessionCodec
from pierre_rag.auth.users import UserStore

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

LANDLORD = "exemple-hlm.fr"
OTHER = "autre-hlm.fr"
EMAIL = f"ana@{LANDLORD}"
codec = SessionCodec("s" * 32)


class CountingClient:
    """The DynamoDB client, counting GetItem calls."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.get_items = 0

    def get_item(self, **kwargs: Any) -> Any:
        self.get_items += 1
        return self._client.get_item(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@pytest.fixture
def client(dynamodb: Any) -> CountingClient:
    return CountingClient(dynamodb)


@pytest.fixture
def users(client: CountingClient) -> UserStore:
    return UserStore(cast("DynamoDBClient", client), LocalResources.physical_name("UsersTable"))


def _cookie(
    users: UserStore, role: StaffRole = StaffRole.COLLABORATOR, landlord: str = LANDLORD
) -> str:
    email = f"ana@{landlord}"
    if users.get(landlord, email) is None:
        users.create(landlord, email, role, "hash", must_change_password=False)
    user = users.get(landlord, email)
    assert user is not None
    token, _ = codec.issue(user)
    return token


def _check(users: UserStore, token: str | None, landlord: str | None = LANDLORD) -> Any:
    return staff_principal(
        token, codec=codec, users=users, landlords=(LANDLORD, OTHER), landlord=landlord
    )


def test_a_current_session_is_the_account_and_opens_its_landlords_protected_chat(users):
    principal = _check(users, _cookie(users))

    assert principal is not None
    assert (principal.email, principal.landlord, principal.role) == (
        EMAIL,
        LANDLORD,
        StaffRole.COLLABORATOR,
    )
    assert principal.may_chat_in_protected_context(LANDLORD)
    assert not principal.may_chat_in_protected_context(OTHER)


def test_a_contributor_is_staff_but_not_for_the_protected_chat(users):
    principal = _check(users, _cookie(users, StaffRole.CONTRIBUTOR))

    assert principal is not None and not principal.may_chat_in_protected_context(LANDLORD)


def test_logout_ends_the_session(users):
    token = _cookie(users)

    users.end_sessions(LANDLORD, EMAIL)

    assert _check(users, token) is None


def test_a_password_change_ends_the_session(users):
    token = _cookie(users)

    users.set_password(LANDLORD, EMAIL, "new-hash", must_change_password=False)

    assert _check(users, token) is None


def test_a_role_changed_and_changed_back_does_not_revive_the_session(users):
    token = _cookie(users, StaffRole.COLLABORATOR)

    users.set_role(LANDLORD, EMAIL, StaffRole.CONTRIBUTOR)
    assert _check(users, token) is None
    users.set_role(LANDLORD, EMAIL, StaffRole.COLLABORATOR)

    assert _check(users, token) is None


def test_a_deleted_account_ends_its_sessions_even_if_created_again(users):
    token = _cookie(users)

    users.delete(LANDLORD, EMAIL)
    assert _check(users, token) is None
    users.create(LANDLORD, EMAIL, StaffRole.COLLABORATOR, "hash", must_change_password=False)

    assert _check(users, token) is None


def test_a_session_of_another_landlord_is_refused_without_reading_the_account(users, client):
    token = _cookie(users, StaffRole.ADMINISTRATOR, landlord=OTHER)
    client.get_items = 0

    assert _check(users, token, landlord=LANDLORD) is None
    assert client.get_items == 0


def test_a_session_of_an_unconfigured_landlord_is_refused(users):
    token = _cookie(users, StaffRole.ADMINISTRATOR, landlord="ancien-bailleur.fr")

    assert _check(users, token, landlord=None) is None


@pytest.mark.parametrize("token", [None, "", "forged.cookie.value"])
def test_no_valid_cookie_costs_no_read(users, client, token):
    assert _check(users, token) is None
    assert client.get_items == 0


def test_a_valid_cookie_costs_one_read(users, client):
    token = _cookie(users)
    client.get_items = 0

    assert _check(users, token) is not None
    assert client.get_items == 1


def test_an_account_still_on_its_one_time_password_may_not_use_the_staff_chat(users):
    # Given a collaborator signed in with the one-time password an administrator gave
    users.create(LANDLORD, EMAIL, StaffRole.COLLABORATOR, "hash", must_change_password=True)
    user = users.get(LANDLORD, EMAIL)
    assert user is not None
    token, _ = codec.issue(user)

    # When the chat checks the cookie
    principal = _check(users, token)

    # Then the account is known (the admin shows the password form) but the staff chat is shut
    assert principal is not None
    assert not principal.may_chat_in_protected_context(LANDLORD)
