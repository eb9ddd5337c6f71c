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

Le bailleur HLM révise le loyer une fois par an, dans la limite fixée par la loi.
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


def test_an_arabic_word_is_read_by_its_stem_once_its_clitics_are_cut() -> None:
    # "and the rent", "for the owner", "my flat": clitics before the stem, endings after it
    assert glossed("والإيجار") == ["loyer", "location"]
    assert glossed("للمالك") == ["bailleur", "proprietaire"]
    assert {"fuite", "eau", "appartement"} <= set(glossed("لدي تسرب مياه في شقتي"))


def test_an_arabic_word_is_read_alike_with_or_without_its_vowel_marks_and_final_ta() -> None:
    assert glossed("رُطُوبَة") == glossed("رطوبه") == ["humidite"]


def test_a_ukrainian_word_is_read_by_the_longest_stem_it_begins_with() -> None:
    # "орендар" (tenant) and "орендодавець" (landlord) begin with "оренд" (rent)
    assert glossed("орендарі") == ["locataire"]
    assert glossed("орендодавцю") == ["bailleur"]
    assert glossed("оренду") == ["loyer", "location"]


def test_a_word_shorter_than_a_stem_or_of_no_stem_gives_nothing() -> None:
    assert glossed("у і що") == []
    assert glossed("هل في") == []


def test_every_key_and_value_is_folded_words() -> None:
    for key, value in glossary().items():
        assert key and 1 <= len(key.split()) <= 2, key
        assert key.isascii() or len(key) >= 3, key
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


def test_an_arabic_or_ukrainian_question_searches_the_french_words_it_stands_for(
    store: Datastore,
) -> None:
    arabic = plan_query(store, "هل يمكن للمالك أن يزيد الإيجار؟")
    ukrainian = plan_query(store, "Сусід дуже шумить вночі, що робити?")

    assert not arabic.french and {"loyer", "bailleur"} <= set(arabic.words)
    assert not ukrainian.french and {"voisin", "bruit"} <= set(ukrainian.words)


def test_an_acronym_in_an_arabic_question_does_not_make_it_french(store: Datastore) -> None:
    # "HLM" is the one word in Latin letters, and the index knows it
    plan = plan_query(store, "المؤجر HLM يريد زيادة الإيجار")

    assert not plan.french
    assert {"loyer", "bailleur", "augmentation", "hlm"} <= set(plan.words)


def test_a_french_word_copied_into_a_ukrainian_question_is_searched(store: Datastore) -> None:
    # written in Latin letters among Cyrillic ones, "bruit" is a French term the tenant copied
    plan = plan_query(store, "Що робити, якщо вночі bruit?")

    assert not plan.french
    assert "bruit" in plan.words


def test_switched_off_a_foreign_question_keeps_only_its_marked_words(store: Datastore) -> None:
    plan = plan_query(store, "can my landlord increase my rent?", glossary=False)

    assert "loyer" not in plan.words


def test_the_rent_section_comes_first_for_an_english_question(store: Datastore) -> None:
    kb = KnowledgeBase(store, HashEmbedder(), SearchConfig())

    found = kb.search("can my landlord increase my rent?", k=2, access=COMMUNITY)

    assert found.results[0].file == "loyer.md"


@pytest.mark.parametrize(
    "question",
    ["هل يمكن للمالك أن يزيد الإيجار؟", "Чи може орендодавець підвищити орендну плату?"],
)
def test_the_rent_section_comes_first_for_an_arabic_or_ukrainian_question(
    store: Datastore, question: str
) -> None:
    kb = KnowledgeBase(store, HashEmbedder(), SearchConfig())

    found = kb.search(question, k=2, access=COMMUNITY)

    assert found.results[0].file == "loyer.md"
