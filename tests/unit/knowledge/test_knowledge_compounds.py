"""Words run together ("locapass", "mobilijeune"): cut into the two the index writes side by
side, so BM25 finds the scheme its knowledge spells LOCA-PASS or Mobili-Jeune."""

from __future__ import annotations

import pytest

from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.query import plan_query
from pierre_rag.knowledge.search import KnowledgeBase, SearchConfig
from tests.unit.knowledge.fakes import HashEmbedder, hash_datastore

COMMUNITY = ["community"]

SCHEME = """# Aides aux jeunes

## L'aide Mobili-Jeune

L'aide MOBILI-JEUNE® prend en charge une partie du loyer des alternants de moins de 30 ans.
"""
OTHER = """# Le logement des jeunes

## Les résidences

Une résidence accueille des jeunes travailleurs. Son loyer comprend les charges et la
mobilité d'une chambre à l'autre est possible.
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Datastore:
    return hash_datastore(
        tmp_path_factory.mktemp("compounds"), {"mobili.md": SCHEME, "residences.md": OTHER}
    )


def test_a_word_run_together_searches_the_two_words_the_index_writes_side_by_side(
    store: Datastore,
) -> None:
    plan = plan_query(store, "l'aide mobilijeune des alternants ?")

    assert {"mobili", "jeune"} <= set(plan.words)
    assert plan.coverage == 1.0  # a known word: the question reads as French


def test_two_known_words_the_index_never_writes_together_are_not_a_compound(
    store: Datastore,
) -> None:
    # "loyerjeune": both halves are known, but nowhere side by side
    plan = plan_query(store, "le loyerjeune c combien")

    assert "jeune" not in plan.words and "loyer" not in plan.words


def test_switched_off_the_word_is_left_unknown(store: Datastore) -> None:
    plan = plan_query(store, "l'aide mobilijeune des alternants ?", compounds=False)

    assert "mobili" not in plan.words


def test_in_another_language_a_marked_compound_is_searched_too(store: Datastore) -> None:
    plan = plan_query(store, "Can I get the Mobilijeune help for my rent?")

    assert {"mobili", "jeune"} <= set(plan.words)


def test_the_cut_word_brings_its_section_first_in_bm25(store: Datastore) -> None:
    question = "mobilijeune ?"
    on = plan_query(store, question)
    off = plan_query(store, question, compounds=False)

    found = store.bm25(on.match, COMMUNITY, limit=5)

    assert store.files_of([found[0][0]])[found[0][0]] == "mobili.md"
    assert off.match == ""  # nothing left to search by its words


def test_the_search_setting_reaches_the_query(store: Datastore) -> None:
    question = "mobilijeune ?"
    on = KnowledgeBase(store, HashEmbedder(), SearchConfig())
    off = KnowledgeBase(store, HashEmbedder(), SearchConfig(compounds=False))

    assert "mobili" in on._plan(question).words
    assert "mobili" not in off._plan(question).words


def test_the_first_word_of_a_hyphenated_compound_is_not_spelled_out(store: Datastore) -> None:
    # Given the shipped abbreviation "chauffe" → chauffage, meant for "ça chauffe pas"
    alone = plan_query(store, "le radiateur chauffe pas")
    # When the tenant writes a water heater, "chauffe-eau"
    compound = plan_query(store, "mon chauffe-eau fuit")
    # Then heating is searched for the word alone, not for the compound
    assert "chauffage" in alone.words
    assert "chauffage" not in compound.words
