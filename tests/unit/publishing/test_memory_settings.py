"""The in-memory store keeps the settings contract: saves and reverts name the revision they
read, and a concurrent one is refused with nothing changed."""

from __future__ import annotations

import pytest

from pierre_rag.publishing.memory import MemoryPublishing
from pierre_rag.publishing.ports import PointerMovedError

LANDLORD = "pierre-habitat.fr"


def test_a_revert_at_the_revision_read_removes_the_edit():
    # given an edit at revision 1
    store = MemoryPublishing()
    store.save_landlord_settings(LANDLORD, {"a": 1}, 0)
    # when it is reverted at that revision
    store.delete_landlord_settings(LANDLORD, 1)
    # then nothing is stored, and the next save starts from 0 again
    assert store.landlord_settings(LANDLORD) is None
    assert store.save_landlord_settings(LANDLORD, {"a": 2}, 0) == 1


def test_a_revert_after_someone_saved_is_refused_and_changes_nothing():
    # given an edit saved twice (revision 2)
    store = MemoryPublishing()
    store.save_landlord_settings(LANDLORD, {"a": 1}, 0)
    store.save_landlord_settings(LANDLORD, {"a": 2}, 1)
    # when a revert names revision 1, then it is refused and the edit stays
    with pytest.raises(PointerMovedError):
        store.delete_landlord_settings(LANDLORD, 1)
    assert store.landlord_settings(LANDLORD) == ({"a": 2}, 2)


def test_reverting_nothing_at_revision_0_does_nothing():
    store = MemoryPublishing()

    store.delete_landlord_settings(LANDLORD, 0)

    assert store.landlord_settings(LANDLORD) is None
