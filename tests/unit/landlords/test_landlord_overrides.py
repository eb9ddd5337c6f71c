"""Given settings edited in the admin, when a landlord is looked up through the registry's
overlay, then the edit is served once the check interval has passed (never before, on an
injected clock), and a failing or stale store never takes a landlord, or another, down."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from pierre_rag.landlord_overrides import CHECK_EVERY_S, LandlordOverrides
from pierre_rag.landlord_settings import LandlordSettingsEdit
from pierre_rag.landlords import ContextConfig, LandlordConfig, LandlordRegistry, SmsConfig
from pierre_rag.publishing.memory import MemoryPublishing

OURS, OTHER = "pierre-habitat.fr", "autre-bailleur.fr"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FlakyStore:
    """A settings store that fails while ``down`` is set."""

    def __init__(self, inner: MemoryPublishing) -> None:
        self.inner = inner
        self.down = False
        self.reads = 0

    def landlord_settings(self, landlord: str) -> tuple[dict[str, Any], int] | None:
        self.reads += 1
        if self.down:
            raise ConnectionError("DynamoDB unreachable")
        return self.inner.landlord_settings(landlord)


def _landlord(landlord_id: str) -> LandlordConfig:
    return LandlordConfig(
        id=landlord_id,
        name=landlord_id,
        sms=SmsConfig(numbers=["+33199000001" if landlord_id == OURS else "+33199000002"]),
        contexts={"default": ContextConfig(greeting="Bonjour (fichier)")},
    )


def _edit(greeting: str, landlord_id: str = OURS) -> dict[str, Any]:
    edit = LandlordSettingsEdit.of(_landlord(landlord_id)).to_stored()
    edit["contexts"]["default"]["greeting"] = greeting
    return edit


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> MemoryPublishing:
    return MemoryPublishing()


@pytest.fixture
def registry(store: MemoryPublishing, clock: Clock) -> LandlordRegistry:
    plain = LandlordRegistry([_landlord(OURS), _landlord(OTHER)])
    return plain.with_overlay(LandlordOverrides(store, clock=clock).effective)


def _greeting(registry: LandlordRegistry, landlord_id: str = OURS) -> str:
    return registry.get(landlord_id).context("default").greeting


def test_without_a_stored_edit_the_file_is_served(registry):
    assert _greeting(registry) == "Bonjour (fichier)"


def test_a_saved_edit_is_served_after_the_check_interval_and_not_before(registry, store, clock):
    # given a landlord already served from its file
    assert _greeting(registry) == "Bonjour (fichier)"
    # when an administrator saves a new greeting
    store.save_landlord_settings(OURS, _edit("Bonjour (admin)"), 0)
    # then it is served once the interval has passed since the last check, not before
    clock.now += CHECK_EVERY_S - 0.1
    assert _greeting(registry) == "Bonjour (fichier)"
    clock.now += 0.1
    assert _greeting(registry) == "Bonjour (admin)"


def test_the_store_is_read_at_most_once_per_interval_per_landlord(store, clock):
    # given a registry over a store that counts its reads
    counting = FlakyStore(store)
    registry = LandlordRegistry([_landlord(OURS), _landlord(OTHER)]).with_overlay(
        LandlordOverrides(counting, clock=clock).effective
    )
    # when both landlords are looked up many times within one interval
    for _ in range(20):
        registry.get(OURS)
        registry.get(OTHER)
        clock.now += 1
    # then each was read once, and again once the interval passed
    assert counting.reads == 2
    clock.now += CHECK_EVERY_S
    registry.get(OURS)
    assert counting.reads == 3


def test_a_sms_number_lookup_serves_the_edit_too(registry, store, clock):
    store.save_landlord_settings(OURS, _edit("Bonjour (admin)"), 0)

    landlord = registry.by_sms_number("+33199000001")

    assert landlord is not None and landlord.context("default").greeting == "Bonjour (admin)"
    assert registry.from_file(OURS).context("default").greeting == "Bonjour (fichier)"


def test_a_failing_read_keeps_the_last_config_served_and_is_logged(store, clock, caplog):
    # given a landlord served with its edit
    flaky = FlakyStore(store)
    registry = LandlordRegistry([_landlord(OURS)]).with_overlay(
        LandlordOverrides(flaky, clock=clock).effective
    )
    store.save_landlord_settings(OURS, _edit("Bonjour (admin)"), 0)
    assert _greeting(registry) == "Bonjour (admin)"
    # when the store fails at the next check
    flaky.down = True
    clock.now += CHECK_EVERY_S
    with caplog.at_level(logging.WARNING, logger="pierre_rag.landlord_overrides"):
        served = _greeting(registry)
    # then the edit is still served, the failure logged, and the store read again only after
    # the interval; once it answers, a newer edit is served
    assert served == "Bonjour (admin)"
    assert "could not be read" in caplog.text
    reads = flaky.reads
    assert _greeting(registry) == "Bonjour (admin)" and flaky.reads == reads
    flaky.down = False
    store.save_landlord_settings(OURS, _edit("Bonjour (v2)"), 1)
    clock.now += CHECK_EVERY_S
    assert _greeting(registry) == "Bonjour (v2)"


def test_a_failing_first_read_serves_the_file(store, clock):
    flaky = FlakyStore(store)
    flaky.down = True
    registry = LandlordRegistry([_landlord(OURS)]).with_overlay(
        LandlordOverrides(flaky, clock=clock).effective
    )

    assert _greeting(registry) == "Bonjour (fichier)"


def test_a_stored_edit_that_no_longer_validates_is_ignored_with_a_log(registry, store, caplog):
    # given a stored edit the current model refuses (e.g. written before a model change)
    stale = _edit("Bonjour (admin)")
    stale["branding"]["primary_color"] = "blue"
    store.save_landlord_settings(OURS, stale, 0)
    # when the landlord is looked up
    with caplog.at_level(logging.ERROR, logger="pierre_rag.landlord_overrides"):
        served = _greeting(registry)
    # then its file is served and the problem logged
    assert served == "Bonjour (fichier)"
    assert registry.get(OURS).branding.primary_color == "#0b5fa5"
    assert "no longer apply" in caplog.text


def test_one_landlords_bad_settings_never_affect_another(registry, store, clock):
    # given a broken edit for one landlord and a valid one for the other
    broken = _edit("Bonjour (admin)")
    broken["contexts"]["ghost"] = broken["contexts"]["default"]  # a context its file lacks
    store.save_landlord_settings(OURS, broken, 0)
    store.save_landlord_settings(OTHER, _edit("Bonjour (autre)", OTHER), 0)
    # when both are looked up, then each gets its own: the file, and the other's edit
    assert _greeting(registry, OURS) == "Bonjour (fichier)"
    assert _greeting(registry, OTHER) == "Bonjour (autre)"


def test_a_revert_then_a_new_save_under_the_same_revision_is_served(registry, store, clock):
    # given an edit served at revision 1
    store.save_landlord_settings(OURS, _edit("Bonjour (un)"), 0)
    assert _greeting(registry) == "Bonjour (un)"
    # when, within one interval, it is reverted to the file and another edit saved (revision
    # 1 again)
    store.delete_landlord_settings(OURS, 1)
    store.save_landlord_settings(OURS, _edit("Bonjour (deux)"), 0)
    clock.now += CHECK_EVERY_S
    # then the new edit is served, not the first
    assert _greeting(registry) == "Bonjour (deux)"


def test_a_reverted_edit_serves_the_file_again(registry, store, clock):
    store.save_landlord_settings(OURS, _edit("Bonjour (admin)"), 0)
    assert _greeting(registry) == "Bonjour (admin)"

    store.delete_landlord_settings(OURS, 1)
    clock.now += CHECK_EVERY_S

    assert _greeting(registry) == "Bonjour (fichier)"
