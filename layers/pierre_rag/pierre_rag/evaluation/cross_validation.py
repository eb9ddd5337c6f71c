"""K-fold cross-validation of retrieval variants (infra/retrieval_cv.py).

A *variant* is a fixed retrieval configuration; its per-row scores come from
``evaluation.retrieval.score_question``. Folds are stratified by kind, so every test fold
holds follow-ups, other languages and new topics in proportion. Choosing among variants on
the training folds and reading the choice on the held fold (``select``) tells whether a
change helps on questions it was not chosen on.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
FIGURES = ("recall@1", "recall@5", "mrr@10", "section_recall@5")


@dataclass(frozen=True)
class ScoredRow:
    """One benchmark row's scores under one variant."""

    id: str
    kind: str
    source: str
    scores: Mapping[str, float]


@dataclass(frozen=True)
class FoldFigures:
    fold: int
    train: dict[str, float]
    test: dict[str, float]
    test_n: int


@dataclass(frozen=True)
class Selection:
    """On one fold: the variant that scored best on the training folds, and its test score."""

    fold: int
    chosen: str
    test: float
    baseline_test: float


def stratified_folds(
    items: Sequence[T], kind: Callable[[T], str], folds: int, seed: int
) -> list[list[T]]:
    """``folds`` disjoint lists covering ``items``; each kind's items are shuffled (seeded)
    and dealt in turn, continuing where the previous kind stopped so sizes stay even."""
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    rng = random.Random(seed)  # noqa: S311 (folds, not secrets)
    by_kind: dict[str, list[T]] = defaultdict(list)
    for item in items:
        by_kind[kind(item)].append(item)
    dealt: list[list[T]] = [[] for _ in range(folds)]
    position = 0
    for name in sorted(by_kind):
        group = list(by_kind[name])
        rng.shuffle(group)
        for item in group:
            dealt[position % folds].append(item)
            position += 1
    return dealt


def summarise(rows: Sequence[ScoredRow]) -> dict[str, float]:
    """Mean of each figure over ``rows`` (empty: no figures)."""
    if not rows:
        return {}
    return {key: round(statistics.fmean(r.scores[key] for r in rows), 4) for key in FIGURES}


def by_group(
    rows: Sequence[ScoredRow], group: Callable[[ScoredRow], str]
) -> dict[str, dict[str, float]]:
    """``summarise`` per group (kind, source…), with each group's size as ``n``."""
    groups: dict[str, list[ScoredRow]] = defaultdict(list)
    for row in rows:
        groups[group(row)].append(row)
    return {
        name: {**summarise(members), "n": len(members)} for name, members in sorted(groups.items())
    }


def cross_validate(rows: Sequence[ScoredRow], folds: Sequence[Sequence[str]]) -> list[FoldFigures]:
    """Train (all other folds) and test figures of one variant on each fold of row ids."""
    by_id = {row.id: row for row in rows}
    out = []
    for index, fold in enumerate(folds):
        held = set(fold)
        test = [by_id[i] for i in fold if i in by_id]
        train = [row for row in rows if row.id not in held]
        out.append(FoldFigures(index, summarise(train), summarise(test), len(test)))
    return out


def mean_figures(figures: Sequence[FoldFigures], part: str = "test") -> dict[str, float]:
    """Mean over folds of the ``test`` (or ``train``) figures."""
    chosen = [getattr(f, part) for f in figures]
    return {key: round(statistics.fmean(c[key] for c in chosen), 4) for key in FIGURES}


def select(
    variants: Mapping[str, Sequence[ScoredRow]],
    folds: Sequence[Sequence[str]],
    figure: str = "mrr@10",
    baseline: str = "baseline",
) -> list[Selection]:
    """Per fold, the variant best on the training folds (ties: the baseline, then by name)
    and its score on the held fold: what choosing on data gives on data not chosen on."""
    table = {name: cross_validate(rows, folds) for name, rows in variants.items()}
    out = []
    for index in range(len(folds)):
        ranked = sorted(
            table,
            key=lambda name: (-table[name][index].train[figure], name != baseline, name),
        )
        chosen = ranked[0]
        out.append(
            Selection(
                fold=index,
                chosen=chosen,
                test=table[chosen][index].test[figure],
                baseline_test=table[baseline][index].test[figure],
            )
        )
    return out
