"""The menu and each role's home page come from the capability table, as the route guards do:
a role sees exactly the pages it may open, and lands on one of them."""

from __future__ import annotations

import re

import pytest
from admin_app.menu import MENU, home_for, menu_for

from pierre_rag.auth.access import Capability, StaffRole
from tests.unit.admin.harness import LANDLORD, PASSWORD

A, K, C = StaffRole.ADMINISTRATOR, StaffRole.CONTRIBUTOR, StaffRole.COLLABORATOR
MENU_LINK = re.compile(r'<nav aria-label="Menu principal">(.*?)</nav>', re.DOTALL)


def _menu_links(html: str) -> list[str]:
    match = MENU_LINK.search(html)
    assert match, html[:500]
    return re.findall(r'<a href="([^"]+)"', match.group(1))


@pytest.mark.parametrize("role", list(StaffRole), ids=str)
def test_the_menu_shows_exactly_the_pages_the_role_may_open(admin, role):
    # given a signed-in staff member of this role
    admin.sign_in_as(f"{role.value}@{LANDLORD}", role)
    # when it opens its password page (every role may) and follows each entry of the menu
    shown = _menu_links(admin.client.get("/admin/password").text)
    opens = {
        entry.href: admin.client.get(entry.href, follow_redirects=False).status_code
        for entry in MENU
    }
    # then the menu lists, in order, exactly the pages its role's guards let through
    assert shown == [href for href, status in opens.items() if status == 200]
    assert all(status in (200, 403) for status in opens.values()), opens


@pytest.mark.parametrize(
    ("role", "home"),
    [(A, "/admin/conversations"), (K, "/admin/knowledge"), (C, "/admin/chat")],
    ids=str,
)
def test_signing_in_lands_each_role_on_the_first_page_of_its_menu(admin, role, home):
    # given an account of this role with its own password
    admin.add_user(f"{role.value}@{LANDLORD}", role)
    # when it signs in, then opens /admin
    signed_in = admin.login(f"{role.value}@{LANDLORD}", PASSWORD)
    root = admin.client.get("/admin", follow_redirects=False)
    # then both send it to its home page, which it may open
    assert signed_in.headers["location"] == root.headers["location"] == home == home_for(role)
    assert admin.client.get(home).status_code == 200


def test_every_role_has_a_home_page_in_its_menu():
    assert all(menu_for(role) and home_for(role) == menu_for(role)[0].href for role in StaffRole)


def test_the_menu_names_each_page_once_and_not_the_own_account_pages():
    # The password and logout links sit beside the menu, for every role. A capability may
    # open several pages (conversations, the backlog, validated answers: review-conversations).
    capabilities = [entry.capability for entry in MENU]
    pages = [entry.href for entry in MENU]

    assert Capability.MANAGE_OWN_ACCOUNT not in capabilities
    assert len(set(pages)) == len(pages)
