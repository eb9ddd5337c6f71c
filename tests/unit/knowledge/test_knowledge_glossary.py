"""Tenants' words in the other answer languages: a question judged not French also searches
the French words they stand for (data/glossary.yaml), so BM25 is not left with nothing."""

from __future__ import annotations

import pytest

from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.query import plan_query
from pierre_rag.knowledge.search import KnowledgeBase, SearchConfig
from pierre_rag.knowledge.text import glossary, glossed
from tests.unit.knowledge.fakes import HashEmbedder, hash_datastore

COMMUNITY = ["community"]

RENT = """# Le loyer

## Mon loyer peut-il augmenter ?

Le bailleur révise le loyer une fois par an, dans la limite fixée par la loi.
"""
NOISE = """# Le voisinage

## Mon voisin fait du bruit : que faire ?

Parlez-en d'abord avec lui, puis écrivez au bailleur si le bruit continue.
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Datastore:
    return hash_datastore(
        tmp_path_factory.mktemp("glossary"), {"loyer.md": RENT, "voisinage.md": NOISE}
    )


def test_a_tenant_word_of_another_language_gives_the_french_words_of_the_knowledge() -> None:
    assert {"bailleur", "loyer", "augmentation"} <= set(glossed("Can my landlord raise my rent?"))
    assert {"loyer", "bailleur"} <= set(glossed("el casero quiere subir el alquiler"))


def test_a_two_word_phrase_is_read_before_its_words() -> None:
    assert glossed("I paid a security deposit") == ["depot", "garantie"]
    assert "hlm" in glossed("how do I get social housing")


def test_every_key_and_value_is_folded_words() -> None:
    for key, value in glossary().items():
        assert key and 1 <= len(key.split()) <= 2, key
        assert value and all(word.isascii() and word.islower() for word in value), key


def test_a_foreign_question_searches_the_french_words_it_stands_for(store: Datastore) -> None:
    plan = plan_query(store, "can my landlord increase my rent?")

    assert not plan.french
    assert {"loyer", "bailleur"} <= set(plan.words)


def test_a_french_question_is_left_as_written(store: Datastore) -> None:
    # "chat" is the English "cat" and the glossary's French word: a French question never
    # reads the glossary
    plan = plan_query(store, "le bruit du voisin, le bailleur peut agir ?")

    assert plan.french
    assert "voisins" not in plan.words and "animaux" not in plan.words


def test_switched_off_a_foreign_question_keeps_only_its_marked_words(store: Datastore) -> None:
    plan = plan_query(store, "can my landlord increase my rent?", glossary=False)

    assert "loyer" not in plan.words


def test_the_rent_section_comes_first_for_an_english_question(store: Datastore) -> None:
    kb = KnowledgeBase(store, HashEmbedder(), SearchConfig())

    found = kb.search("can my landlord increase my rent?", k=2, access=COMMUNITY)

    assert found.results[0].file == "loyer.md"
