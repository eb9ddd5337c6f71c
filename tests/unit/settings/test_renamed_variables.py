"""A renamed environment variable is still read under its old name, with a warning each time
it is read (a wiring module reads its settings once per container), until deployments have
moved to the new one (issue #14)."""

from __future__ import annotations

import logging
from pathlib import Path

from pierre_rag.settings import Settings

OLD, NEW = next(iter(Settings.renamed_variables.items()))


def test_the_landlords_folder_variable_has_its_new_name():
    assert NEW == "PIERRE_LANDLORDS_DIR"
    assert Settings.from_env({NEW: "/srv/landlords"}).landlords_dir == Path("/srv/landlords")


def test_the_old_name_is_read_with_a_warning_each_time(caplog):
    with caplog.at_level(logging.WARNING, logger="pierre_rag.settings"):
        first = Settings.from_env({OLD: "/srv/old"})
        second = Settings.from_env({OLD: "/srv/old"})

    assert first.landlords_dir == second.landlords_dir == Path("/srv/old")
    assert [record.getMessage() for record in caplog.records] == [
        f"{OLD} is deprecated: set {NEW} instead"
    ] * 2


def test_the_new_name_wins_over_the_old(caplog):
    with caplog.at_level(logging.WARNING, logger="pierre_rag.settings"):
        found = Settings.from_env({OLD: "/srv/old", NEW: "/srv/new"})

    assert found.landlords_dir == Path("/srv/new")
    assert caplog.records == []
