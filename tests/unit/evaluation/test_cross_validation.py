"""K-fold cross-validation of retrieval variants, on a tiny fixture (no corpus, no model)."""

from __future__ import annotations

from collections import Counter

import pytest

from pierre_rag.evaluation.cross_validation import (
    ScoredRow,
    cross_validate,
    mean_figures,
    select,
    stratified_folds,
)

# 23 rows of four kinds, sizes that do not divide by the number of folds
ROWS = [(f"a{i}", "answerable") for i in range(11)]
ROWS += [(f"o{i}", "other_language") for i in range(6)]
ROWS += [(f"f{i}", "follow_up") for i in range(4)]
ROWS += [(f"n{i}", "new_topic") for i in range(2)]


def _kind(row: tuple[str, str]) -> str:
    return row[1]


def _row(id_: str, rr: float, kind: str = "answerable") -> ScoredRow:
    scores = {"recall@1": float(rr == 1), "recall@5": float(rr > 0), "mrr@10": rr}
    return ScoredRow(id_, kind, "fixture", {**scores, "section_recall@5": float(rr > 0)})


def test_folds_are_disjoint_and_cover_every_row() -> None:
    folds = stratified_folds(ROWS, _kind, 5, seed=7)

    dealt = [row for fold in folds for row in fold]
    assert len(folds) == 5
    assert sorted(dealt) == sorted(ROWS)
    assert len(set(dealt)) == len(dealt)


def test_folds_are_stratified_by_kind_and_even_in_size() -> None:
    folds = stratified_folds(ROWS, _kind, 5, seed=7)

    for kind in {k for _, k in ROWS}:
        per_fold = [Counter(_kind(r) for r in fold)[kind] for fold in folds]
        assert max(per_fold) - min(per_fold) <= 1, (kind, per_fold)
    sizes = [len(fold) for fold in folds]
    assert max(sizes) - min(sizes) <= 1


def test_folds_depend_on_the_seed_only() -> None:
    first = stratified_folds(ROWS, _kind, 5, seed=7)
    again = stratified_folds(list(ROWS), _kind, 5, seed=7)
    other = stratified_folds(ROWS, _kind, 5, seed=8)

    assert first == again
    assert first != other


def test_fewer_than_two_folds_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2 folds"):
        stratified_folds(ROWS, _kind, 1, seed=7)


def test_train_and_test_figures_are_means_over_the_other_folds_and_the_held_one() -> None:
    # given four rows and two folds of two
    rows = [_row("a", 1.0), _row("b", 0.5), _row("c", 0.0), _row("d", 1.0)]
    folds = [["a", "b"], ["c", "d"]]

    figures = cross_validate(rows, folds)

    assert figures[0].test["mrr@10"] == 0.75
    assert figures[0].train["mrr@10"] == 0.5
    assert figures[1].test["recall@1"] == 0.5
    assert figures[1].train["recall@5"] == 1.0
    assert [f.test_n for f in figures] == [2, 2]
    assert mean_figures(figures)["mrr@10"] == 0.625
    assert mean_figures(figures, "train")["mrr@10"] == 0.625


def test_selection_reads_on_the_held_fold_the_variant_best_on_the_training_folds() -> None:
    # given a variant better than the baseline on fold 1 only, and one equal to the baseline
    folds = [["a", "b"], ["c", "d"]]
    baseline = [_row("a", 1.0), _row("b", 1.0), _row("c", 0.5), _row("d", 0.5)]
    better_on_cd = [_row("a", 1.0), _row("b", 1.0), _row("c", 1.0), _row("d", 1.0)]
    same = list(baseline)

    chosen = select({"same": same, "baseline": baseline, "x": better_on_cd}, folds)

    # fold 0 trains on c, d, where x is better, and x is as good on a, b: no loss
    assert (chosen[0].chosen, chosen[0].test, chosen[0].baseline_test) == ("x", 1.0, 1.0)
    # fold 1 trains on a, b, where all tie: the baseline is kept, not "same" (sorted first)
    assert (chosen[1].chosen, chosen[1].test) == ("baseline", 0.5)
