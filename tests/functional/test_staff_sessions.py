"""Given one staff session cookie accepted by two functions (admin pages, the chat's
protected contexts), when the account logs out, changes password, is demoted or deleted,
then the chat refuses the cookie just as the admin does (recorded events, moto behind)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pierre_local.resources import LocalResources
from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.sessions import Session, SessionCodec
from pierre_rag.auth.users import User, UserStore
from tests.functional.conftest import SESSION_SECRET, signed_in
from tests.helpers import load_event

LANDLORD = "exemple-hlm.fr"
ANA = f"ana@{LANDLORD}"
Handler = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture
def functions(chat: Handler, admin: Handler) -> tuple[Handler, Handler]:
    """The chat and admin handlers, as two Lambda containers of one deployment (the chat's
    environment: one landlord, the fixture knowledge base)."""
    return chat, admin


@pytest.fixture
def users(runtime: Any) -> UserStore:
    return UserStore(runtime, LocalResources.physical_name("UsersTable"))


def _signed_in(users: UserStore, role: StaffRole = StaffRole.COLLABORATOR) -> tuple[str, Session]:
    """What the admin's login gives a collaborator of the landlord: a session cookie."""
    return signed_in(users.client, role, ANA)


def _staff_question(token: str) -> dict[str, Any]:
    event = load_event("chat_post_message")
    body = json.loads(event["body"])
    body.update(context="staff", text="qui est d'astreinte le week-end ?")
    event["body"] = json.dumps(body)
    event["cookies"] = [f"pierre_session={token}"]
    return event


def _admin_page(token: str) -> dict[str, Any]:
    event = load_event("admin_conversations_anonymous")
    event["cookies"] = [f"pierre_session={token}"]
    return event


def _logout(token: str, csrf: str) -> dict[str, Any]:
    event = load_event("admin_logout")
    event["cookies"] = [f"pierre_session={token}"]
    event["body"] = f"csrf={csrf}"
    event["headers"]["content-length"] = str(len(event["body"]))
    return event


def test_after_logout_the_replayed_cookie_opens_neither_the_staff_chat_nor_the_admin(
    functions, users
):
    chat, admin = functions
    token, session = _signed_in(users, StaffRole.ADMINISTRATOR)
    assert chat(_staff_question(token))["statusCode"] == 200
    assert admin(_admin_page(token))["statusCode"] == 200

    logout = admin(_logout(token, session.csrf))

    assert logout["statusCode"] == 303
    assert any(cookie.startswith("pierre_session=;") for cookie in logout["cookies"])
    assert chat(_staff_question(token))["statusCode"] == 401
    refused = admin(_admin_page(token))
    assert refused["statusCode"] == 303
    assert refused["headers"]["location"] == "/admin/login"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda users: users.set_password(LANDLORD, ANA, "new-hash", must_change_password=False),
            id="password changed",
        ),
        pytest.param(
            lambda users: (
                users.set_role(LANDLORD, ANA, StaffRole.CONTRIBUTOR),
                users.set_role(LANDLORD, ANA, StaffRole.COLLABORATOR),
            ),
            id="demoted then promoted back",
        ),
        pytest.param(
            lambda users: users.set_role(LANDLORD, ANA, StaffRole.CONTRIBUTOR), id="demoted"
        ),
        pytest.param(lambda users: users.delete(LANDLORD, ANA), id="deleted"),
    ],
)
def test_a_changed_account_no_longer_opens_the_staff_chat_with_its_old_cookie(
    functions, users, change
):
    chat, admin = functions
    token, _ = _signed_in(users)
    assert chat(_staff_question(token))["statusCode"] == 200

    change(users)

    assert chat(_staff_question(token))["statusCode"] == 401
    assert admin(_admin_page(token))["statusCode"] == 303


def test_a_cookie_whose_account_never_existed_does_not_open_the_staff_chat(functions, users):
    chat, _ = functions
    assert users.get(LANDLORD, ANA) is None
    ghost = User(ANA, LANDLORD, StaffRole.ADMINISTRATOR, "", "hash")
    token, _ = SessionCodec(SESSION_SECRET).issue(ghost)

    assert chat(_staff_question(token))["statusCode"] == 401
