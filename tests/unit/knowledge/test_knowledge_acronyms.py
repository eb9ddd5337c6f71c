"""Acronyms the knowledge defines itself ("prêt locatif zonal (PLZ)"): read at build, and a
query naming one form also searches the other (``knowledge.acronyms``)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from pierre_rag.knowledge.acronyms import Acronym, collect, definitions, named, spelled_out
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.search import KnowledgeBase, SearchConfig
from tests.unit.knowledge.fakes import HashEmbedder, hash_datastore

# Invented schemes, so that no test leans on what a real corpus says
DEFINES = """# Le prêt locatif zonal

## À quoi sert-il ?

Le prêt locatif zonal (PLZ) finance des logements dont le loyer reste sous un plafond.
"""
MENTIONS = """# Construire des logements

## Les financements

Un organisme combine souvent plusieurs prêts : PLZ, subventions de l'État et fonds propres.
Le loyer de sortie dépend du plafond de chaque prêt.
"""
FILLER = """# Vie du bail

## Payer son loyer

Le loyer se paie chaque mois, par prélèvement ou par virement.
"""


DPE_WORDS = "diagnostic performance energetique"


@pytest.mark.parametrize(
    ("text", "letters", "words"),
    [
        ("Le prêt locatif intermédiaire (PLI) finance", "pli", "pret locatif intermediaire"),
        ("au nom du Droit Au Logement Opposable (DALO).", "dalo", "droit logement opposable"),
        ("le diagnostic de performance énergétique (DPE)", "dpe", DPE_WORDS),
        ("un Prêt à Taux Zéro (PTZ)", "ptz", "pret taux zero"),
    ],
)
def test_a_definition_gives_the_content_words_its_initials_spell(
    text: str, letters: str, words: str
) -> None:
    assert definitions(text) == [(letters, tuple(words.split()))]


@pytest.mark.parametrize(
    "text",
    [
        "le conseil d'administration (CA)",  # two letters: too close to "ça"
        "un voyage à Lyon (Rhône)",  # a name, not an acronym
        "la loi du 6 juillet (XYZ)",  # initials that spell nothing before
        "(PLI) en début de phrase",
    ],
)
def test_what_defines_no_acronym_gives_nothing(text: str) -> None:
    assert definitions(text) == []


def test_an_acronym_the_prose_also_writes_as_a_word_counts_only_in_capitals() -> None:
    # Given an acronym that is also a French word ("cité")
    table = collect(["le crédit d'impôt transition énergétique (CITE)", "une cité universitaire"])

    # Then the question must write it in capitals
    assert table["cite"].also_a_word
    assert named(["cite"], "je loge en cité u", table) == []
    assert named(["cite"], "le CITE existe encore ?", table) == [table["cite"]]


def test_an_acronym_written_more_often_in_capitals_counts_in_lower_case_too() -> None:
    # Given a law the prose names in capitals three times and writes once as a word ("élan")
    texts = [
        "la loi portant évolution du logement, de l'aménagement et du numérique (ELAN)",
        "la loi ELAN a créé le bail mobilité ; depuis ELAN les organismes se regroupent",
        "un nouvel élan pour le quartier",
    ]
    table = collect(texts)

    # Then a tenant writing it in lower case names the law
    assert not table["elan"].also_a_word
    assert named(["loi", "elan"], "la loi elan a changé quoi ?", table) == [table["elan"]]


def test_the_words_written_out_give_the_acronym() -> None:
    table = {"ptz": Acronym("ptz", ("pret", "taux", "zero"), also_a_word=False)}

    assert spelled_out(["pret", "taux", "zero", "acheter"], table) == [table["ptz"]]
    assert spelled_out(["pret", "travaux"], table) == []


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Datastore:
    files = {"plz.md": DEFINES, "construire.md": MENTIONS, "bail.md": FILLER}
    return hash_datastore(tmp_path_factory.mktemp("acronyms"), files)


def test_the_build_stores_the_acronyms_its_files_define(store: Datastore) -> None:
    assert store.acronyms["plz"].words == ("pret", "locatif", "zonal")


def test_a_lower_case_acronym_finds_the_article_that_defines_it(store: Datastore) -> None:
    # Given the article that spells PLZ out once, and another that names it and its "plafond"
    # (four chunks: every acronym is common in so small a knowledge, hence a share of 1)
    question = "les logements plz c quel plafond de loyer"
    with_acronyms = KnowledgeBase(store, HashEmbedder(), _sharing(1.0))
    without = KnowledgeBase(store, HashEmbedder(), _sharing(0.0))

    # When the tenant writes the acronym in lower case
    found = with_acronyms.search(question, k=3, access=["community"])
    before = without.search(question, k=3, access=["community"])

    # Then the defining article comes first, as it did not without the acronyms
    assert found.results[0].file == "plz.md"
    assert before.results[0].file != "plz.md"


def test_an_acronym_named_leads_to_the_file_titled_with_its_words(tmp_path: Path) -> None:
    # Given the article titled with the scheme's words, which never writes the acronym, one
    # that defines the acronym in passing, and two titled with some of its words
    files = {
        "pret-vert.md": "# Prêt locatif vert\n\n## Plafonds\n\nLes loyers ont un plafond.\n",
        "financer.md": "# Financer\n\n## Les prêts\n\nLe prêt locatif vert (PLV) en est un.\n",
        "autre.md": "# Prêt vert\n\n## Travaux\n\nPour isoler les murs.\n",
        "bail.md": "# Le bail locatif\n\n## Durée\n\nTrois ans au moins.\n",
    }
    store = hash_datastore(tmp_path, files)
    plan = KnowledgeBase(store, HashEmbedder(), _sharing(1.0))._plan("les loyers du plv ?")

    # Then the search names the file titled with all its words (no single word names it)
    assert KnowledgeBase(store, HashEmbedder())._named_files(plan, ["community"]) == [
        "pret-vert.md"
    ]


def test_an_acronym_written_in_many_chunks_is_left_alone(store: Datastore) -> None:
    # Given PLZ written in two chunks of four ("mon hlm" stands for the home, not the term)
    plans = [
        KnowledgeBase(store, HashEmbedder(), _sharing(share))._plan("mon plz")
        for share in (0.25, 1.0)
    ]

    # Then its words are searched only when that share is allowed
    assert "zonal" not in plans[0].words
    assert "zonal" in plans[1].words


def _sharing(share: float) -> SearchConfig:
    return replace(SearchConfig(), acronym_max_share=share)


def test_the_search_says_which_defined_acronyms_the_message_names(store: Datastore) -> None:
    # Given PLZ defined, and written in so many chunks that it is not searched as its words
    kb = KnowledgeBase(store, HashEmbedder(), _sharing(0.25))

    # When messages name it, in any case, or name none
    named = kb.search("c quoi le plz ?", k=1, access=["community"])
    capitals = kb.search("Was ist der PLZ?", k=1, access=["community"])
    none = kb.search("c quoi le loyer ?", k=1, access=["community"])

    # Then the response lists it (the gate's hint that the message is about the knowledge)
    assert named.acronyms == capitals.acronyms == ["plz"]
    assert none.acronyms == []


def test_a_datastore_built_before_acronyms_were_stored_still_opens(tmp_path: Path) -> None:
    # Given a datastore without the acronyms table (built by an earlier version)
    copy = hash_datastore(tmp_path, {"plz.md": DEFINES}).path
    with sqlite3.connect(copy) as db:
        db.execute("DROP TABLE acronyms")

    # Then it opens and searches, with no acronym to expand
    old = Datastore(copy)
    assert old.acronyms == {}
    assert KnowledgeBase(old, HashEmbedder()).search("plz", k=1, access=["community"]).results
