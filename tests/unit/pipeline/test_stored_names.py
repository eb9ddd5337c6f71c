"""The names stored in DynamoDB keep their 0.1.0 spelling through the landlord rename: a new
spelling would orphan every existing user, conversation and opt-out (issue #14)."""

from __future__ import annotations

from pierre_rag import stored_names


def test_the_stored_names_are_those_of_0_1_0():
    stored = (
        stored_names.LANDLORD_KEY_PREFIX,
        stored_names.LANDLORD_ATTRIBUTE,
        stored_names.BY_LANDLORD_DAY_INDEX,
    )

    assert stored == ("TENANT#", "tenant", "by-tenant-day")  # stored name
    assert stored_names.landlord_key("exemple-hlm.fr") == "TENANT#exemple-hlm.fr"  # stored name


def test_the_template_declares_the_index_the_code_queries():
    from tests.helpers import REPO_ROOT

    template = (REPO_ROOT / "template.yaml").read_text(encoding="utf-8")

    assert f"IndexName: {stored_names.BY_LANDLORD_DAY_INDEX}" in template
