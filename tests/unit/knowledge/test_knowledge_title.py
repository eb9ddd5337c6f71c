"""The title field (document title + file name words) and distinct sections before the cut."""

from __future__ import annotations

import pytest

from pierre_rag.knowledge.build import ChunkRow, build_datastore, title_field
from pierre_rag.knowledge.datastore import Datastore, bm25_weights
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.knowledge.query import plan_query
from pierre_rag.knowledge.search import KnowledgeBase, SearchConfig
from tests.unit.knowledge.fakes import HashEmbedder

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

PARAGRAPH = (
    "Le radiateur doit chauffer chaque pièce ; un radiateur froid se purge, et le radiateur "
    "du séjour se règle par le robinet thermostatique. "
)
SPLIT = f"""# Chauffage

## Radiateur qui ne chauffe plus

{"".join(f"{PARAGRAPH}Cas {n}. " for n in range(10))}

{"".join(f"{PARAGRAPH}Cas {n}. " for n in range(10, 20))}

{"".join(f"{PARAGRAPH}Cas {n}. " for n in range(20, 30))}

## Entretien annuel

La chaudière individuelle est entretenue chaque année par une entreprise agréée, à la
charge du locataire ; l'attestation d'entretien est remise au bailleur sur demande. Le
contrat d'entretien couvre aussi le contrôle du radiateur de la salle de bain, les joints,
le vase d'expansion et la pression du circuit, vérifiée avant l'hiver par le technicien.
Le locataire garde la facture deux ans : en cas de panne, l'assureur peut la demander, et
le bailleur la réclame lors de l'état des lieux de sortie si la chaudière est défaillante.
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Datastore:
    source = tmp_path_factory.mktemp("knowledge")
    (source / "pilotix-jeunes.md").write_text(NAMED, encoding="utf-8")
    (source / "aides-collectivites.md").write_text(MENTIONS, encoding="utf-8")
    (source / "chauffage.md").write_text(SPLIT, encoding="utf-8")
    out = source.parent / "datastore.sqlite"
    build_datastore([source], out, HashEmbedder())
    return Datastore(out)


def _row(file: str, title: str) -> ChunkRow:
    community = AccessLevel.COMMUNITY
    return ChunkRow(file, title, ("T",), ("T",), "text", community, None, "community")


def test_the_title_field_holds_the_title_and_the_words_of_the_file_name() -> None:
    row = _row("Dispositifs/Accession sociale - PSLA.md", "Le prêt social location-accession")

    assert title_field(row).split() == [
        *"Le prêt social location-accession".split(),
        *"Accession sociale PSLA".split(),
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


def test_the_title_columns_are_searched_only_when_weighted(store: Datastore) -> None:
    plan = plan_query(store, "le pilotix")
    files = store.files_of(range(1, 50))

    plain = [files[cid] for cid, _ in store.bm25(plan.match, COMMUNITY, 10)]
    match = plan.match_in(("head", "body", "title"))
    weighted = [files[cid] for cid, _ in store.bm25(match, COMMUNITY, 10, bm25_weights(8.0))]

    assert plain[0] == "aides-collectivites.md" and "pilotix-jeunes.md" not in plain
    assert weighted[0] == "pilotix-jeunes.md"


def test_the_title_prior_lifts_the_file_named_in_the_question(store: Datastore) -> None:
    embedder = HashEmbedder()
    question = "pilotix jeunes salariés premier loyer"
    before = KnowledgeBase(store, embedder).search(question, k=2)
    after = KnowledgeBase(store, embedder, SearchConfig(title_prior_weight=2.0)).search(
        question, k=2
    )

    assert after.results[0].file == "pilotix-jeunes.md"
    assert after.results[0].score > next(
        r.score for r in before.results if r.file == "pilotix-jeunes.md"
    )


def test_distinct_sections_list_each_section_once_before_repeating_one(store: Datastore) -> None:
    # given BM25 alone, where the three pieces of a long section outrank a second section
    only_bm25 = SearchConfig(dense_weight=0.0, names_weight=0.0)
    plain = KnowledgeBase(store, HashEmbedder(), only_bm25).search(
        "radiateur purge thermostatique", k=4
    )
    paths = [tuple(r.heading_path) for r in plain.results]
    assert paths[0] == paths[1]
    # when sections are made distinct before the cut
    config = SearchConfig(dense_weight=0.0, names_weight=0.0, distinct_sections=True)
    distinct = KnowledgeBase(store, HashEmbedder(), config).search(
        "radiateur purge thermostatique", k=4
    )
    # then the second section comes before the long section's other pieces
    first_two = {tuple(r.heading_path)[-1] for r in distinct.results[:2]}
    assert first_two == {"Radiateur qui ne chauffe plus", "Entretien annuel"}
    # and with room for every candidate, none is lost
    everything = [
        sorted(r.chunk_id for r in KnowledgeBase(store, HashEmbedder(), c).search(q, k=20).results)
        for c in (only_bm25, config)
        for q in ["radiateur purge thermostatique"]
    ]
    assert everything[0] == everything[1]
