"""The place table's prepared form (``knowledge.place_table``): parsed once, then read."""

from __future__ import annotations

import logging
import marshal
import stat
from pathlib import Path

import pytest

from pierre_rag.knowledge import gazetteer, place_table, places
from pierre_rag.knowledge.gazetteer import Gazetteer


def _refuse_to_parse(text: str) -> Gazetteer:
    raise AssertionError("the table was parsed, not read from its prepared file")


def _same(left: Gazetteer, right: Gazetteer) -> bool:
    return (left.departments, left.names) == (right.departments, right.names)


@pytest.fixture(scope="module")
def parsed() -> Gazetteer:
    return gazetteer.parse_table(gazetteer.TABLE_PATH.read_text("utf-8"))


def test_the_table_is_parsed_once_then_read_from_the_models_dir(tmp_path, monkeypatch, parsed):
    # given an empty models dir, where the first load writes the prepared table
    first = place_table.load(tmp_path)
    assert (tmp_path / place_table.prepared_file_name()).is_file()

    # when it is loaded again with parsing forbidden
    monkeypatch.setattr(gazetteer, "parse_table", _refuse_to_parse)
    second = place_table.load(tmp_path)

    # then it came from the prepared file and holds what the parse gives
    assert _same(first, parsed)
    assert _same(second, parsed)


def test_a_corrupt_prepared_table_is_ignored_and_replaced(tmp_path, caplog, parsed):
    prepared = tmp_path / place_table.prepared_file_name()
    prepared.write_bytes(b"not marshal data")

    with caplog.at_level(logging.WARNING):
        loaded = place_table.load(tmp_path)

    assert _same(loaded, parsed)
    assert "unreadable prepared place table" in caplog.text
    assert place_table.read_prepared(prepared, place_table.fingerprint()) is not None


def test_a_file_of_another_fingerprint_under_this_name_is_not_used(tmp_path, caplog, parsed):
    # given a file with this table's name holding an older table (one commune only)
    print_ = place_table.fingerprint()
    foreign = ("pierre-places-1", "0123456789abcdef", [("32", "Gers", "Occitanie")], {"x": ("32",)})
    (tmp_path / place_table.prepared_file_name(print_)).write_bytes(marshal.dumps(foreign))

    # when the table is loaded
    with caplog.at_level(logging.WARNING):
        loaded = place_table.load(tmp_path)

    # then the shipped table was parsed again, and written for next time
    assert _same(loaded, parsed)
    assert "not a place table of this fingerprint" in caplog.text
    reread = place_table.read_prepared(tmp_path / place_table.prepared_file_name(print_), print_)
    assert reread is not None and _same(reread, parsed)


def test_an_edited_table_is_not_read_from_the_stale_prepared_file(tmp_path, monkeypatch):
    # given the shipped table prepared in the models dir
    models = tmp_path / "models"
    place_table.load(models)

    # when the table is edited (a commune only this copy has) and loaded again
    edited = tmp_path / "places.tsv"
    edited.write_text(gazetteer.TABLE_PATH.read_text("utf-8") + "C\tVillenouvelle-sur-Test\t32\n")
    monkeypatch.setattr(gazetteer, "TABLE_PATH", edited)
    loaded = place_table.load(models)

    # then the edit is seen, under a file of its own
    assert loaded.names["villenouvelle sur test"] == ("32",)
    assert len(list(models.glob("places-*.marshal"))) == 2


def test_a_read_only_models_dir_still_loads(tmp_path, parsed):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the models dir should be")

    assert _same(place_table.load(blocked / "models"), parsed)


def test_the_layer_build_writes_a_file_every_user_can_read(tmp_path, monkeypatch, parsed):
    # given the table prepared as the layer build does
    done = place_table.prepare_for_layer(tmp_path)
    prepared = tmp_path / place_table.prepared_file_name()

    # then Lambda (another user than the build's) can read it, and it is read, not parsed
    assert prepared.name in done
    assert stat.S_IMODE(prepared.stat().st_mode) == 0o644
    monkeypatch.setattr(gazetteer, "parse_table", _refuse_to_parse)
    assert _same(place_table.load(tmp_path), parsed)


def test_the_default_table_comes_from_the_models_dir_of_the_environment(
    tmp_path: Path, monkeypatch
):
    # given the models dir of the environment holding the prepared table
    place_table.prepare_for_layer(tmp_path)
    monkeypatch.setenv("PIERRE_MODELS_DIR", str(tmp_path))
    monkeypatch.setattr(gazetteer, "parse_table", _refuse_to_parse)
    places.default_gazetteer.cache_clear()
    try:
        # when the default table is asked for, then it is read from there
        assert places.default_gazetteer().departments["32"].name == "Gers"
    finally:
        places.default_gazetteer.cache_clear()
