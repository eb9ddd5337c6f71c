"""infra/rerank_cv.py: the candidates' features, the labels and the pairwise model, on a few
hand-made candidates (no corpus, no embedding model)."""

from __future__ import annotations

import numpy as np
import pytest
import rerank_cv
from rerank_cv import FEATURES, Candidates, PairwiseModel, Row

from pierre_rag.evaluation.retrieval import BenchQuestion, Expected
from pierre_rag.knowledge.models import AccessLevel, SearchResult
from pierre_rag.knowledge.search import QueryRankings


def result(chunk_id: int, file: str, heading: str, score: float) -> SearchResult:
    return SearchResult(
        chunk_id=chunk_id,
        file=file,
        title=file.removesuffix(".md").replace("-", " ").title(),
        heading_path=[heading],
        headings=[heading],
        text="…",
        access=AccessLevel.COMMUNITY,
        landlord=None,
        score=score,
        cosine=0.1 * chunk_id,
    )


RESULTS = [
    result(1, "preavis.md", "Durée du préavis", 0.03),
    result(2, "preavis.md", "Durée du préavis", 0.02),
    result(3, "loyer.md", "Payer son loyer", 0.01),
]


def candidates(*, history: bool = False) -> Candidates:
    alone = QueryRankings(
        dense=[(3, 0.3), (1, 0.1)], bm25=[1], bm25_weight=1.0, names=[2], title_files=["loyer.md"]
    )
    rankings = [alone]
    if history:
        rankings.append(QueryRankings(dense=[(2, 0.2)], bm25=[3, 2], bm25_weight=1.0, names=[]))
    return Candidates(RESULTS, rankings, stems=["dure", "preav"], words=3)


def column(matrix: np.ndarray, name: str) -> list[float]:
    return [round(float(v), 4) for v in matrix[:, FEATURES.index(name)]]


def test_each_list_gives_its_rank_or_zero_when_the_chunk_is_absent() -> None:
    features = rerank_cv.candidate_features(candidates(), positions={1: 0, 2: 1, 3: 0})

    assert features.shape == (3, len(FEATURES))
    assert column(features, "dense_rank") == [round(1 / np.log2(3), 4), 0.0, 1.0]
    assert column(features, "bm25_rank") == [1.0, 0.0, 0.0]
    assert column(features, "dense_absent") == [0.0, 1.0, 0.0]
    assert column(features, "bm25_absent") == [0.0, 1.0, 1.0]
    assert column(features, "exact_name") == [0.0, 1.0, 0.0]
    assert column(features, "title_prior") == [0.0, 0.0, 1.0]
    assert column(features, "fused_rank") == [1.0, round(1 / np.log2(3), 4), 0.5]


def test_the_history_lists_are_zero_without_history_and_read_with_it() -> None:
    without = rerank_cv.candidate_features(candidates(), positions={})
    with_history = rerank_cv.candidate_features(candidates(history=True), positions={})

    assert column(without, "dense_rank_history") == [0.0, 0.0, 0.0]
    assert column(with_history, "dense_rank_history") == [0.0, 1.0, 0.0]
    assert column(with_history, "bm25_rank_history") == [0.0, round(1 / np.log2(3), 4), 1.0]


def test_headings_file_and_section_counts_and_position() -> None:
    features = rerank_cv.candidate_features(candidates(), positions={1: 0, 2: 1, 3: 0})

    # "Durée du préavis" holds both query stems; "Payer son loyer" none
    assert column(features, "heading_stems") == [2.0, 2.0, 0.0]
    assert column(features, "heading_share") == [1.0, 1.0, 0.0]
    assert column(features, "title_share") == [0.5, 0.5, 0.0]  # title "Preavis"
    assert column(features, "same_file") == [round(2 / 3, 4), round(2 / 3, 4), round(1 / 3, 4)]
    assert column(features, "same_section") == column(features, "same_file")
    assert column(features, "position") == [0.0, round(float(np.log(2)), 4), 0.0]


def test_labels_rank_the_expected_section_above_the_rest_of_its_file() -> None:
    question = BenchQuestion(
        id="q",
        kind="answerable",
        question="préavis ?",
        expected=[Expected(file="preavis.md", heading="Durée du préavis")],
    )
    other = result(4, "preavis.md", "Autre chose", 0.0)

    assert rerank_cv.labels(question, [*RESULTS, other]).tolist() == [2, 2, 0, 1]


def row(features: list[list[float]], labels: list[int]) -> Row:
    question = BenchQuestion(id="q", kind="answerable", question="?")
    padded = np.zeros((len(features), len(FEATURES)))
    padded[:, : len(features[0])] = features
    return Row(question, "test", RESULTS[: len(features)], padded, np.asarray(labels))


def test_the_pairwise_model_learns_to_put_the_relevant_candidate_first() -> None:
    # the first feature marks the relevant chunk, which the fused order puts last
    rows = [row([[0.0], [0.0], [1.0]], [0, 0, 1]) for _ in range(3)]

    model = rerank_cv.fit_pairwise(rows, penalty=1e-3)

    assert model.weights[0] > 0
    assert [r.chunk_id for r in rerank_cv.reranked(rows[0], model)] == [3, 1, 2]


def test_without_a_model_or_with_ties_the_fused_order_stays() -> None:
    flat = row([[0.0], [0.0], [0.0]], [0, 1, 0])
    tied = PairwiseModel(
        mean=np.zeros(len(FEATURES)), scale=np.ones(len(FEATURES)), weights=np.ones(len(FEATURES))
    )

    assert rerank_cv.reranked(flat, None) == RESULTS
    assert rerank_cv.reranked(flat, tied) == RESULTS


@pytest.mark.parametrize("rank", [1, 2, 10, 50])
def test_a_better_rank_gives_a_larger_feature(rank: int) -> None:
    assert rerank_cv.rank_feature(rank) > rerank_cv.rank_feature(rank + 1) > 0
    assert rerank_cv.rank_feature(None) == 0.0


def chunks(*files: str) -> list[SearchResult]:
    """Fused candidates: chunk ids 1, 2, … in this order, of these files."""
    return [result(i, file, f"§{i}", 0.0) for i, file in enumerate(files, start=1)]


def ids(results: list[SearchResult]) -> list[int]:
    return [r.chunk_id for r in results]


def test_files_come_in_the_order_of_their_leads_scores_and_their_chunks_in_the_fused_order() -> (
    None
):
    # fused: a1 a2 b3 a4 c5 b6; the model puts c's lead first, then b's, then a's
    fused = chunks("a.md", "a.md", "b.md", "a.md", "c.md", "b.md")
    scores = np.array([0.1, 9.0, 0.5, 9.0, 0.9, -9.0])  # a's others score high: not read

    ordered = rerank_cv.files_by_model(fused, scores)

    assert list(dict.fromkeys(r.file for r in ordered)) == ["c.md", "b.md", "a.md"]
    for file in ("a.md", "b.md"):
        assert [r.chunk_id for r in ordered if r.file == file] == [
            r.chunk_id for r in fused if r.file == file
        ]
    # a2 and a4 wait for a's lead; b6 keeps its place after the third lead
    assert ids(ordered) == [5, 3, 1, 2, 4, 6]


def test_with_the_fused_file_order_only_the_guard_moves_a_chunk() -> None:
    fused = chunks("a.md", "a.md", "b.md", "a.md", "c.md", "b.md")

    ordered = rerank_cv.files_by_model(fused, -np.arange(6.0))

    # a2 would come before the second lead: it comes right after it
    assert ids(ordered) == [1, 3, 2, 4, 5, 6]


def test_one_file_cannot_take_the_first_five_places_when_others_exist() -> None:
    fused = chunks("a.md", "a.md", "a.md", "a.md", "a.md", "a.md", "b.md")

    ordered = rerank_cv.files_by_model(fused, np.zeros(7))

    assert ids(ordered)[:2] == [1, 7]
    assert len({r.file for r in ordered[:5]}) == 2
    assert ids(ordered)[2:] == [2, 3, 4, 5, 6]


def test_a_single_file_keeps_the_fused_order() -> None:
    fused = chunks("a.md", "a.md", "a.md")

    assert ids(rerank_cv.files_by_model(fused, np.array([0.0, 5.0, 9.0]))) == [1, 2, 3]
    assert rerank_cv.files_by_model([], np.zeros(0)) == []


def test_reranked_applies_the_ordering_to_the_models_scores() -> None:
    # the model scores the third candidate (loyer.md) highest: its file comes first
    flat = row([[0.0], [0.0], [1.0]], [0, 0, 1])
    model = PairwiseModel(
        mean=np.zeros(len(FEATURES)),
        scale=np.ones(len(FEATURES)),
        weights=np.eye(len(FEATURES))[0],
    )

    assert ids(rerank_cv.reranked(flat, model, rerank_cv.files_by_model)) == [3, 1, 2]
    assert rerank_cv.reranked(flat, None, rerank_cv.files_by_model) == RESULTS
