"""Short messages: the rare word that heads a section found, and French told by its verbs.

A short message ("besoin d'une quittance", "c quoi le dalo") comes only weakly close to any
chunk for the dense model, while its one precise word heads the section that answers it; the
search reports how rare that word is (``SearchResponse.heading_idf``) so that the gate does
not answer "nothing found". And "ils vont m'expulser ?" has one word the index knows and one
("vont") its prose never writes: it was judged foreign and searched without its words.
"""

from __future__ import annotations

import math

import pytest

from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.query import plan_query
from pierre_rag.knowledge.search import KnowledgeBase
from tests.unit.knowledge.fakes import HashEmbedder, hash_datastore

COMMUNITY = ["community"]
# Twenty-four sections on other subjects, each asked "Comment … ?": "comment" heads them all,
# "quittance" heads one.
SUBJECTS = [
    "le chauffage",
    "la chaudière",
    "les charges",
    "le dépôt de garantie",
    "le préavis",
    "l'assurance",
    "l'état des lieux",
    "les animaux",
    "le bruit",
    "les travaux",
    "la mutation",
    "l'échange",
    "la demande",
    "le numéro unique",
    "le dossier",
    "la commission",
    "le refus",
    "le bail",
    "le garant",
    "les aides",
    "les impayés",
    "l'ascenseur",
    "les poubelles",
    "le parking",
]


def _files() -> dict[str, str]:
    files = {
        f"sujet-{n:02d}.md": f"# Sujet {n}\n\n## Comment faire pour {subject} ?\n\n"
        f"Voici ce qu'il faut savoir sur {subject} dans votre résidence, si besoin.\n"
        for n, subject in enumerate(SUBJECTS)
    }
    files["quittance.md"] = (
        "# Le loyer\n\n## Comment obtenir une quittance de loyer ?\n\n"
        "Demandez-la à votre agence : elle vous l'envoie gratuitement chaque mois.\n"
    )
    files["impayes.md"] = (
        "# Les impayés\n\n## Le bailleur peut-il m'expulser ?\n\n"
        "Il ne peut pas vous expulser sans un jugement, et jamais pendant la trêve hivernale.\n"
    )
    return files


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Datastore:
    return hash_datastore(tmp_path_factory.mktemp("heading-match"), _files())


@pytest.fixture(scope="module")
def kb(store: Datastore) -> KnowledgeBase:
    return KnowledgeBase(store, HashEmbedder())


def test_a_rare_word_of_the_message_heading_a_section_found_is_reported(
    kb: KnowledgeBase,
) -> None:
    # When a tenant names only what they need
    found = kb.search("besoin d'une quittance", k=6, access=COMMUNITY)

    # Then the section headed by that word is found, and the word is as rare as it is
    assert found.results[0].file == "quittance.md"
    chunks = kb.datastore.chunk_count()
    assert found.heading_idf == pytest.approx(math.log(chunks / 1))


def test_words_of_how_a_question_is_asked_are_no_heading_match(kb: KnowledgeBase) -> None:
    # "comment" and "faire" head every section: they say how it is asked, not what about
    found = kb.search("comment faire ?", k=6, access=COMMUNITY)

    assert found.heading_idf == 0.0


def test_with_the_turn_before_the_heading_match_is_the_messages_own(kb: KnowledgeBase) -> None:
    history = [{"role": "user", "content": "besoin d'une quittance"}]

    found = kb.search_with_history("et comment faire ?", history, k=6, access=COMMUNITY)

    # "quittance" heads the section found, but it is the turn before's word, not the message's
    assert found.results[0].file == "quittance.md"
    assert found.heading_idf == 0.0


def test_a_short_french_question_with_a_verb_the_prose_never_writes_stays_french(
    store: Datastore,
) -> None:
    # "vont" is in no section; "expulser" is
    plan = plan_query(store, "ils vont m'expulser ?")

    # Then the question is French and its precise word goes to BM25
    assert plan.french
    assert "expulser" in plan.words
    assert "vont" not in plan.words
