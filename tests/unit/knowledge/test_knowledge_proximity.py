"""The proximity list (off by default, measured in docs/retrieval.md): the question's word
pairs found close together in a section."""

from __future__ import annotations

import pytest

from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.query import plan_query
from pierre_rag.knowledge.search import KnowledgeBase, SearchConfig
from tests.unit.knowledge.fakes import HashEmbedder, hash_datastore

COMMUNITY = ["community"]

# The words of "perdu mes clés" in two sections: far apart in one, side by side in the other.
APART = """# Le départ

## Rendre le logement

Vous rendez les clés le jour de l'état des lieux de sortie. Le dépôt de garantie vous est
rendu dans le mois ; s'il est rendu en retard, rien n'est perdu pour vous.
"""
TOGETHER = """# Les réparations

## Ce qui est à votre charge

Le remplacement des clés perdues et des vitres cassées par accident est à votre charge.
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Datastore:
    return hash_datastore(
        tmp_path_factory.mktemp("proximity"), {"depart.md": APART, "reparations.md": TOGETHER}
    )


def test_the_pairs_are_the_known_words_side_by_side_as_written(store: Datastore) -> None:
    plan = plan_query(store, "j'ai perdu mes clés, qui paie ?")

    assert plan.pairs == (("perdu", "cle"),)
    assert plan.proximity_match(2) == '{head_stem body_stem} : (NEAR("perdu" "cle", 2))'


def test_a_question_in_another_language_has_no_pairs(store: Datastore) -> None:
    assert plan_query(store, "I lost my keys, who pays for the new ones?").pairs == ()


def test_the_pairs_close_together_lift_their_section(store: Datastore) -> None:
    question = "j'ai perdu mes clés"
    off = KnowledgeBase(store, HashEmbedder(), SearchConfig())
    on = KnowledgeBase(store, HashEmbedder(), SearchConfig(proximity_weight=1.0))

    both = {r.file: r.score for r in off.search_many([question], k=5, access=COMMUNITY).results}
    lifted = {r.file: r.score for r in on.search_many([question], k=5, access=COMMUNITY).results}

    # Then only the section holding "clés perdues" gains, by one RRF share
    assert lifted["reparations.md"] == pytest.approx(both["reparations.md"] + 1.0 / 61)
    assert lifted["depart.md"] == pytest.approx(both["depart.md"])
