"""py3langid's model cut to the UI languages: prepared once, read fast, ranked as the library."""

from __future__ import annotations

import logging
import mmap

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from pierre_rag.pipeline import language_model

TEXTS = ["Tu es là ?", "my heating is broken", "¿Quién paga el tratamiento?", "kira neden artti"]


@pytest.fixture(scope="module")
def library() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(language_model.LANGUAGES))
    return identifier


def test_the_prepared_model_ranks_as_the_library_restricted_to_our_languages(tmp_path, library):
    # Given the model prepared in an empty models dir
    prepared = language_model.identifier.__wrapped__(tmp_path)
    assert (tmp_path / language_model.prepared_file_name()).is_file()

    # When it ranks messages, then it ranks them as py3langid's own set_languages does
    for text in TEXTS:
        assert language_model.same_ranking(prepared.rank(text), library.rank(text))


def test_the_prepared_file_is_read_without_the_library_model(tmp_path, monkeypatch):
    # Given a prepared file
    language_model.save_prepared(tmp_path / language_model.prepared_file_name())

    # When the library's own model cannot be read
    def unreadable() -> None:
        raise AssertionError("the library model was read")

    monkeypatch.setattr(language_model, "restricted_arrays", unreadable)
    identifier = language_model.identifier.__wrapped__(tmp_path)

    # Then the prepared file was enough
    assert identifier.rank("my heating is broken")[0][0] == "en"


def test_a_corrupt_prepared_file_is_ignored_and_replaced(tmp_path, caplog):
    prepared = tmp_path / language_model.prepared_file_name()
    prepared.write_bytes(b"not an archive")

    with caplog.at_level(logging.WARNING):
        identifier = language_model.identifier.__wrapped__(tmp_path)

    assert identifier.rank("my heating is broken")[0][0] == "en"
    assert "unreadable prepared language model" in caplog.text
    assert prepared.stat().st_size > 100_000


def test_the_transition_table_is_mapped_not_read(tmp_path):
    # Given the prepared files
    language_model.save_prepared(tmp_path / language_model.prepared_file_name())
    transitions = tmp_path / language_model.transitions_file_name()

    # When they are loaded
    identifier = language_model.identifier.__wrapped__(tmp_path)

    # Then the 39 MB table is the file, mapped (only the pages a message visits are read)
    assert transitions.stat().st_size > 30_000_000
    table: object = identifier.tk_nextmove.obj
    assert isinstance(table, np.memmap)
    mapping: object = table.base  # typed as an array by numpy; a memmap's is the mmap
    assert isinstance(mapping, mmap.mmap)
    assert identifier.rank("Die Heizung ist kaputt")[0][0] == "de"


@pytest.mark.parametrize("damage", ["missing", "truncated", "foreign"])
def test_a_damaged_transition_table_is_ignored_and_replaced(tmp_path, caplog, library, damage):
    # Given prepared files whose transition table is missing, cut short or of another model
    language_model.save_prepared(tmp_path / language_model.prepared_file_name())
    transitions = tmp_path / language_model.transitions_file_name()
    if damage == "missing":
        transitions.unlink()
    elif damage == "truncated":
        transitions.write_bytes(transitions.read_bytes()[:1_000_000])
    else:
        np.save(transitions, np.zeros(256 * 4, dtype=np.uint32))

    # When the model is loaded
    with caplog.at_level(logging.WARNING):
        identifier = language_model.identifier.__wrapped__(tmp_path)

    # Then the library's model was cut again, so it ranks as the library does, and the table
    # is whole again for the next cold start
    for text in TEXTS:
        assert language_model.same_ranking(identifier.rank(text), library.rank(text))
    assert transitions.stat().st_size > 30_000_000
    if damage != "missing":
        assert "unreadable prepared language model" in caplog.text


def test_without_prepared_files_nor_the_library_model_the_error_says_to_rebuild(
    tmp_path, monkeypatch
):
    # Given a layer, whose build left the library's model out, with no prepared files
    monkeypatch.setattr(language_model, "MODEL_DIR", tmp_path / "py3langid")

    # When the model is loaded, then the error says what to do
    with pytest.raises(RuntimeError, match=r"rebuild the layer"):
        language_model.identifier.__wrapped__(tmp_path / "models")


def test_a_read_only_models_dir_still_loads(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the models dir should be")

    identifier = language_model.identifier.__wrapped__(blocked / "models")

    assert identifier.rank("Die Heizung ist kaputt")[0][0] == "de"


def test_the_layer_build_writes_and_checks_the_prepared_file(tmp_path):
    done = language_model.prepare_for_layer(tmp_path / "models")

    for name in (language_model.prepared_file_name(), language_model.transitions_file_name()):
        prepared = tmp_path / "models" / name
        assert prepared.is_file()
        assert prepared.stat().st_mode & 0o444 == 0o444  # readable by Lambda's runtime user
    assert "8 languages" in done
