"""The title field (document title + file name words): a file named in the question."""

from __future__ import annotations

import pytest

from pierre_rag.knowledge.build import ChunkRow, title_field
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.knowledge.query import plan_query
from pierre_rag.knowledge.search import NAME_MIN_CHUNKS, KnowledgeBase, SearchConfig
from tests.unit.knowledge.fakes import HashEmbedder, hash_datastore

COMMUNITY = ["community"]

# A file named after a scheme whose title and headings do not spell it, and a file that
# mentions the scheme in its own headings and text.
NAMED = """---
title: Aide au premier loyer
---
# Aide au premier loyer

## Qui peut en bénéficier

Les jeunes salariés de moins de trente ans qui entrent dans un logement locatif peuvent
demander une aide pour payer le premier mois de loyer, sous conditions de ressources.
"""
MENTIONS = """# Les aides des collectivités

## Cumuler avec le Pilotix

Le Pilotix se cumule avec l'aide de la commune. Le Pilotix est demandé avant l'entrée dans
les lieux ; la commune verse son aide après la signature du bail et le Pilotix ensuite.
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Datastore:
    return hash_datastore(
        tmp_path_factory.mktemp("title"),
        {"pilotix-jeunes.md": NAMED, "aides-collectivites.md": MENTIONS},
    )


def _row(file: str, title: str) -> ChunkRow:
    community = AccessLevel.COMMUNITY
    return ChunkRow(file, title, ("T",), ("T",), "text", community, None, "community")


def test_the_title_field_holds_the_title_and_the_words_of_the_file_name() -> None:
    row = _row("dispositifs/accession sociale - psla.md", "Le prêt social location-accession")

    assert title_field(row).split() == [
        *"Le prêt social location-accession".split(),
        *"accession sociale psla".split(),
    ]


def test_a_name_in_the_question_finds_the_file_titled_after_it(store: Datastore) -> None:
    # given a question naming the scheme, which only the first file's name spells
    plan = plan_query(store, "le pilotix")
    # when files are looked up by the names their title holds
    files = store.named_files(plan.stems, COMMUNITY, max_files=1)
    # then the file named after it is found, not the one that only mentions it
    assert files == ["pilotix-jeunes.md"]


def test_a_word_that_titles_several_files_is_not_a_name(store: Datastore) -> None:
    stems = plan_query(store, "une aide").stems

    assert store.named_files(stems, COMMUNITY, max_files=1) == []
    assert store.named_files(stems, COMMUNITY, max_files=2) == [
        "aides-collectivites.md",
        "pilotix-jeunes.md",
    ]
    assert store.named_files(stems, ["public@ailleurs.fr"], max_files=2) == []


def test_the_prior_adds_one_rrf_share_to_the_named_file_only(store: Datastore) -> None:
    # given the same search without and with the prior (the shipped weight)
    config = SearchConfig()
    off = KnowledgeBase(store, HashEmbedder(), SearchConfig(title_prior_weight=0.0))
    on = KnowledgeBase(store, HashEmbedder(), config)
    # when the question names the scheme
    before = {r.file: r.score for r in off.search("le pilotix", k=10).results}
    after = {r.file: r.score for r in on.search("le pilotix", k=10).results}
    # then the file titled after it gains one rank-1 share, the file mentioning it nothing
    share = config.title_prior_weight / (config.rrf_k + 1)
    assert config.title_prior_weight > 0
    assert after["pilotix-jeunes.md"] == pytest.approx(before["pilotix-jeunes.md"] + share)
    assert after["aides-collectivites.md"] == pytest.approx(before["aides-collectivites.md"])


def test_a_strong_prior_puts_the_named_file_first(store: Datastore) -> None:
    off = KnowledgeBase(store, HashEmbedder(), SearchConfig(title_prior_weight=0.0))
    strong = KnowledgeBase(store, HashEmbedder(), SearchConfig(title_prior_weight=2.0))

    assert off.search("le pilotix", k=3).results[0].file == "aides-collectivites.md"
    assert strong.search("le pilotix", k=3).results[0].file == "pilotix-jeunes.md"


WHO_PAYS_WHAT = """# Réparations : qui paie quoi ?

## Le robinet qui fuit

Le joint et le robinet sont à la charge du locataire ; la colonne d'eau, du bailleur.
"""


def test_an_asking_word_names_no_file_even_when_one_title_holds_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # given a file whose title alone holds "quoi" ("qui paie quoi ?")
    store = hash_datastore(
        tmp_path_factory.mktemp("asking"),
        {
            "pilotix-jeunes.md": NAMED,
            "aides-collectivites.md": MENTIONS,
            "reparations.md": WHO_PAYS_WHAT,
        },
    )
    off = KnowledgeBase(store, HashEmbedder(), SearchConfig(title_prior_weight=0.0))
    on = KnowledgeBase(store, HashEmbedder(), SearchConfig())
    # when a question asks "c'est quoi" about the scheme
    question = "c'est quoi le pilotix ?"
    before = {r.file: r.score for r in off.search(question, k=10).results}
    after = {r.file: r.score for r in on.search(question, k=10).results}
    # then the scheme's file gains the prior and the file titled with "quoi" gains nothing
    assert after["pilotix-jeunes.md"] > before["pilotix-jeunes.md"]
    assert after["reparations.md"] == pytest.approx(before["reparations.md"])


GLOSSARY = """# Glossaire HLM

## Que veut dire OPH ?

Un office public de l'habitat est un organisme qui loue des logements sociaux.
"""
PETS = """# Les animaux domestiques

## Puis-je avoir un chat dans mon logement ?

Oui, un chat ou un chien est accepté dans un HLM s'il ne gêne pas les voisins.
"""


def _everyday(number: int) -> str:
    """An article whose text, not its title, writes "HLM"."""
    return (
        f"# Article {number}\n\n## Question {number}\n\nUn point numéro {number} sur votre HLM.\n"
    )


def test_a_word_many_chunks_hold_names_no_file_even_when_one_title_holds_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # given "hlm" in every chunk (more than NAME_MIN_CHUNKS), and in one title only
    files = {f"article-{n}.md": _everyday(n) for n in range(NAME_MIN_CHUNKS + 5)}
    store = hash_datastore(
        tmp_path_factory.mktemp("common"),
        {**files, "glossaire.md": GLOSSARY, "animaux.md": PETS},
    )
    config = SearchConfig()
    off = KnowledgeBase(store, HashEmbedder(), SearchConfig(title_prior_weight=0.0))
    on = KnowledgeBase(store, HashEmbedder(), config)
    # when a question names "hlm" and a word that one title alone holds ("animaux")
    question = "les animaux sont acceptés dans un hlm ?"
    before = {r.file: r.score for r in off.search(question, k=40).results}
    after = {r.file: r.score for r in on.search(question, k=40).results}
    # then the common word lifts nothing, the rare one lifts its file
    assert 0 < config.title_prior_max_share < 1
    assert after["glossaire.md"] == pytest.approx(before["glossaire.md"])
    assert after["animaux.md"] > before["animaux.md"]


ZONING = """# Zonage des communes (au 5 septembre)

## Les zones

Chaque commune est classée dans une zone, qui fixe les plafonds de loyer des logements.
"""
ABSENCE = """# Absences du logement

## Puis-je partir longtemps ?

Le logement doit rester votre résidence principale : huit mois par an au moins. Partir 5
mois par an reste possible.
"""


def test_a_number_names_no_file(tmp_path_factory: pytest.TempPathFactory) -> None:
    # given a title holding a date ("au 5 septembre")
    store = hash_datastore(
        tmp_path_factory.mktemp("number"), {"zonage.md": ZONING, "absences.md": ABSENCE}
    )
    off = KnowledgeBase(store, HashEmbedder(), SearchConfig(title_prior_weight=0.0))
    on = KnowledgeBase(store, HashEmbedder(), SearchConfig())
    # when a question counts months
    question = "je pars 5 mois par an, c'est un problème ?"
    before = {r.file: r.score for r in off.search(question, k=10).results}
    after = {r.file: r.score for r in on.search(question, k=10).results}
    # then the file titled with the date gains nothing
    assert after["zonage.md"] == pytest.approx(before["zonage.md"])


LAW = """# La loi Pilotix

## Ce que la loi change

La loi Pilotix encadre les hausses décidées en cours de bail.
"""
RENT = """# Payer chaque mois

## Mon loyer a augmenté

Une hausse du loyer doit être prévue au bail ; votre agence vous en explique le calcul.
"""
GUARANTORS = """# Les garants

## Qui peut se porter garant ?

Un parent, un ami ou un organisme peut se porter garant du locataire.
"""


@pytest.fixture(scope="module")
def short_stems(tmp_path_factory: pytest.TempPathFactory) -> Datastore:
    return hash_datastore(
        tmp_path_factory.mktemp("short-stems"),
        {"loi-pilotix.md": LAW, "paiement.md": RENT, "garants.md": GUARANTORS},
    )


def test_a_short_stem_names_a_file_only_through_the_word_its_title_writes(
    short_stems: Datastore,
) -> None:
    # given "loyer" and "loi", one stem to French stemming, and only "loi" in one title
    knowledge = KnowledgeBase(short_stems, HashEmbedder(), SearchConfig())
    merged = KnowledgeBase(short_stems, HashEmbedder(), SearchConfig(title_exact_max_stem=0))
    community = ["community"]
    # when a tenant writes about the rent, then about the law
    rent = plan_query(short_stems, "mon loyer a augmenté")
    law = plan_query(short_stems, "la loi pilotix")
    # then the rent names no file, the law still names its own
    assert "loi" in rent.stems
    assert knowledge._named_files(rent, community) == []
    assert merged._named_files(rent, community) == ["loi-pilotix.md"]
    assert knowledge._named_files(law, community) == ["loi-pilotix.md"]


def test_a_short_stem_names_its_file_in_the_singular_or_the_plural(
    short_stems: Datastore,
) -> None:
    # given a title written in the plural ("Les garants"), whose stem is short ("gar")
    knowledge = KnowledgeBase(short_stems, HashEmbedder(), SearchConfig())
    plan = plan_query(short_stems, "il me faut un garant ?")
    # when the question writes it in the singular, then it still names the file
    assert len(plan.stems[plan.words.index("garant")]) <= SearchConfig().title_exact_max_stem
    assert knowledge._named_files(plan, ["community"]) == ["garants.md"]
