"""Staff accounts in the UsersTable.

Two items per account, written and deleted together in one transaction:

- ``pk = TENANT#<landlord>, sk = USER#<email>``: the account (role, name, argon2id hash, flags);
  a landlord's users are one Query.
- ``pk = EMAIL#<email>, sk = LOGIN``: which landlord the address belongs to, so the login form
  asks only for an e-mail and a password (one GetItem). It also makes an address unique
  across landlords: one address, one account.

The account's ``session_epoch`` is written into every session cookie and must still be equal
when the cookie comes back (:mod:`pierre_rag.auth.principal`). Logout, a password change and a
role change add one to it, ending every older session. It starts at a random value, so an
account deleted and created again does not revive the sessions of the deleted one.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pierre_rag.auth.access import StaffRole
from pierre_rag.storage.items import Item, from_item, to_item, value_of
from pierre_rag.storage.pages import query_items
from pierre_rag.stored_names import LANDLORD_ATTRIBUTE, landlord_key

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

# A new account's first epoch: random, so that no cookie of a deleted namesake matches it.
_EPOCH_START_RANGE = 2**53
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


class DuplicateUserError(ValueError):
    """The address already has an account (at this landlord or another one)."""


class UserNotFoundError(LookupError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def is_valid_email(email: str) -> bool:
    return len(email) <= 254 and bool(EMAIL_PATTERN.match(email))


@dataclass(frozen=True)
class User:
    email: str
    landlord: str
    role: StaffRole
    name: str
    password_hash: str
    must_change_password: bool = False
    created_ms: int = 0
    updated_ms: int = 0
    session_epoch: int = 0  # carried by its session cookies; bumped to end them all


# The key schema (deployed tables hold data: never change these).
USER_PREFIX = "USER#"  # sk of one account
LOGIN_PREFIX = "EMAIL#"  # pk of an address's login item
LOGIN_SORT_KEY = "LOGIN"


def _user_key(landlord: str, email: str) -> Item:
    return to_item({"pk": landlord_key(landlord), "sk": f"{USER_PREFIX}{email}"})


def _login_key(email: str) -> Item:
    return to_item({"pk": f"{LOGIN_PREFIX}{email}", "sk": LOGIN_SORT_KEY})


def _account_values(landlord: str) -> Item:
    """The Query values of a landlord's accounts."""
    return to_item({":pk": landlord_key(landlord), ":user": USER_PREFIX})


def _from_item(item: Mapping[str, Any]) -> User:
    data = from_item(item)
    return User(
        email=data["email"],
        landlord=data[LANDLORD_ATTRIBUTE],
        role=StaffRole(data["role"]),
        name=data.get("name", ""),
        password_hash=data["password_hash"],
        must_change_password=bool(data.get("must_change_password", False)),
        created_ms=int(data.get("created_ms", 0)),
        updated_ms=int(data.get("updated_ms", 0)),
        session_epoch=int(data.get("session_epoch", 0)),
    )


class UserStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self.client = client
        self.table = table

    # ------------------------------------------------------------------ reads
    def landlord_of(self, email: str) -> str | None:
        """The landlord an address belongs to (one GetItem), or None."""
        item = self.client.get_item(
            TableName=self.table, Key=_login_key(normalise_email(email)), ConsistentRead=True
        ).get("Item")
        return str(value_of(item[LANDLORD_ATTRIBUTE])) if item else None

    def get(self, landlord: str, email: str) -> User | None:
        item = self.client.get_item(
            TableName=self.table,
            Key=_user_key(landlord, normalise_email(email)),
            ConsistentRead=True,
        ).get("Item")
        return _from_item(item) if item else None

    def list(self, landlord: str) -> list[User]:
        items = query_items(
            self.client,
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :user)",
            ExpressionAttributeValues=_account_values(landlord),
        )
        return sorted((_from_item(item) for item in items), key=lambda user: user.email)

    def has_users(self, landlord: str) -> bool:
        response = self.client.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :user)",
            ExpressionAttributeValues=_account_values(landlord),
            Limit=1,
            ProjectionExpression="pk",
            ConsistentRead=True,
        )
        return bool(response.get("Items"))

    # ------------------------------------------------------------------ writes
    def create(
        self,
        landlord: str,
        email: str,
        role: StaffRole,
        password_hash: str,
        *,
        name: str = "",
        must_change_password: bool = True,
    ) -> User:
        email = normalise_email(email)
        now = int(time.time() * 1000)
        epoch = secrets.randbelow(_EPOCH_START_RANGE)
        user = User(
            email, landlord, role, name, password_hash, must_change_password, now, now, epoch
        )
        item = {
            **_user_key(landlord, email),
            **to_item(
                {
                    "email": email,
                    LANDLORD_ATTRIBUTE: landlord,
                    "role": role.value,
                    "name": name,
                    "password_hash": password_hash,
                    "must_change_password": must_change_password,
                    "created_ms": now,
                    "updated_ms": now,
                    "session_epoch": epoch,
                }
            ),
        }
        login = {**_login_key(email), **to_item({LANDLORD_ATTRIBUTE: landlord, "email": email})}
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": login,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except self.client.exceptions.TransactionCanceledException as error:
            raise DuplicateUserError(email) from error
        return user

    def set_role(self, landlord: str, email: str, role: StaffRole) -> None:
        """Change the role and end the account's sessions (changing it back revives none)."""
        self._update(landlord, email, {"role": role.value})

    def end_sessions(self, landlord: str, email: str) -> None:
        """Every session cookie issued so far for this account stops working (logout)."""
        self._update(landlord, email, {})

    def set_password(
        self, landlord: str, email: str, password_hash: str, *, must_change_password: bool
    ) -> None:
        self._update(
            landlord,
            email,
            {"password_hash": password_hash, "must_change_password": must_change_password},
        )

    def _update(self, landlord: str, email: str, values: dict[str, Any]) -> None:
        """Set ``values`` and bump the session epoch: every change here ends older sessions."""
        values = {**values, "updated_ms": int(time.time() * 1000)}
        names = {f"#a{i}": key for i, key in enumerate(values)}
        assignments = ", ".join(f"#a{i} = :v{i}" for i in range(len(values)))
        try:
            self.client.update_item(
                TableName=self.table,
                Key=_user_key(landlord, normalise_email(email)),
                UpdateExpression=f"SET {assignments} ADD session_epoch :one",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(
                    {":one": 1, **{f":v{i}": v for i, v in enumerate(values.values())}}
                ),
            )
        except self.client.exceptions.ConditionalCheckFailedException as error:
            raise UserNotFoundError(email) from error

    def delete(self, landlord: str, email: str) -> None:
        email = normalise_email(email)
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table,
                            "Key": _user_key(landlord, email),
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    {"Delete": {"TableName": self.table, "Key": _login_key(email)}},
                ]
            )
        except self.client.exceptions.TransactionCanceledException as error:
            raise UserNotFoundError(email) from error
