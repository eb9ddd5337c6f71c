"""A learned re-ranker over the fused candidates, under k-fold cross-validation (issue #16
item 3): does a linear model over features the search already has reorder the top N better
than the hand-set RRF weights, on questions it was not trained on?

    .venv/bin/python infra/rerank_cv.py                     # N 30, seeds 7 and 11, 5 folds
    .venv/bin/python infra/rerank_cv.py --seeds 7 --candidates 20

Each row is searched once as ``pierre eval retrieval`` searches it (the message, weighed
with its history as a follow-up or not), keeping the fused top N chunks and the rankings they
came from. Every candidate gets the features of ``FEATURES`` (``candidate_features``); a
pairwise logistic model (``fit_pairwise``, plain numpy) learns from the training folds to
put chunks of an expected section above other chunks of the expected file, and those above
chunks of other files. Of two L2 strengths (``PENALTIES``), the one with the better MRR
under an inner cross-validation of the training folds is used for the held fold. Figures are
``evaluation.retrieval.score_question`` over the re-ranked list, as the eval reads it.

``--order chunks`` (the default) outputs the chunks in the model's order; ``--order files``
takes only the order of the files from the model and keeps each file's chunks where the
fusion had them (``files_by_model``, pre-registered in docs/retrieval.md).
Dev-only: nothing here is imported by the layer.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import math
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from retrieval_cv import SHORT, BenchSet, bench_sets

from pierre_rag.evaluation.cross_validation import FIGURES, ScoredRow, by_group, stratified_folds
from pierre_rag.evaluation.retrieval import (
    RETRIEVE_K,
    BenchQuestion,
    ensure_datastore,
    score_question,
)
from pierre_rag.knowledge import followup
from pierre_rag.knowledge.cache import default_cache_dir
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.embeddings import embedder_from_env
from pierre_rag.knowledge.models import DEFAULT_ACCESS, SearchResult
from pierre_rag.knowledge.search import KnowledgeBase, QueryRankings, contextual_query
from pierre_rag.knowledge.sources import visible_scopes
from pierre_rag.knowledge.text import index_terms

Matrix = npt.NDArray[np.float64]

# Chosen once, before any run, from what the search already computes (no new model).
FEATURES = (
    "fused_score",  # RRF score × (k + 1): about how many lists put it first
    "fused_rank",  # 1 / log2(1 + rank) in the fused order
    "dense_rank",  # the message's dense KNN, same transform; 0: absent
    "bm25_rank",  # the message's BM25
    "dense_rank_history",  # the message with the previous user turn (0 without history)
    "bm25_rank_history",
    "dense_absent",
    "bm25_absent",
    "exact_name",  # in a query's exact-name list
    "title_prior",  # its file is named in a query (title prior)
    "cosine",  # best dense cosine to a query
    "heading_stems",  # distinct query stems in its headings
    "heading_share",  # … over the query's distinct stems
    "title_share",  # query stems in its file's title, over the query's distinct stems
    "same_file",  # candidates of its file in the top N, over N
    "same_section",  # candidates of its section (file + heading path), over N
    "position",  # log(1 + its ordinal in its file)
    "length_dense",  # log(1 + query words) × dense_rank
    "length_bm25",  # log(1 + query words) × bm25_rank
)
PENALTIES = (1e-3, 1e-1)  # L2 strengths tried; the inner folds choose


def rank_feature(rank: int | None) -> float:
    return 1.0 / math.log2(1 + rank) if rank else 0.0


@dataclass(frozen=True)
class Candidates:
    """One row's fused top N with what ranked them."""

    results: list[SearchResult]
    rankings: list[QueryRankings]  # the message's, then (with history) the contextual one's
    stems: list[str]  # the message's query stems
    words: int  # the message's query words


def search_candidates(kb: KnowledgeBase, question: BenchQuestion, n: int) -> Candidates:
    """``KnowledgeBase.search_with_history`` as the eval calls it, keeping its rankings."""
    history = [t.model_dump() for t in question.history]
    contextual = contextual_query(question.question, history)
    queries = [question.question]
    if contextual != question.question and question.question.strip():
        queries.append(contextual)
    scopes = visible_scopes(None, DEFAULT_ACCESS)
    # the search's own steps (private: the layer has no use for the rankings after fusion)
    plans = [kb._plan(q) for q in queries]
    rankings = kb._rankings(plans, scopes)
    weights: Sequence[float] = [1.0]
    if len(plans) == 2:
        alone_cosine = rankings[0].dense[0][1] if rankings[0].dense else 0.0
        found = followup.signals(question.question, len(plans[0].words), alone_cosine)
        weights = kb.config.follow_up.weights(found)
    response = kb._fused(rankings, weights, n, queries)
    return Candidates(response.results, rankings, plans[0].stems, len(plans[0].words))


def _stems(texts: Sequence[str]) -> set[str]:
    return {stem for text in texts for stem in index_terms(text).split()}


def candidate_features(candidates: Candidates, positions: Mapping[int, int]) -> Matrix:
    """One row of ``FEATURES`` per candidate (``positions``: chunk id → ordinal in its file)."""
    results = candidates.results
    n = max(len(results), 1)
    query_stems = set(candidates.stems)
    wanted = max(len(query_stems), 1)
    length = math.log1p(candidates.words)
    per_file = Counter(r.file for r in results)
    per_section = Counter((r.file, tuple(r.heading_path)) for r in results)
    ranks = [_list_ranks(ranking) for ranking in candidates.rankings]
    alone, history = ranks[0], ranks[1] if len(ranks) > 1 else ({}, {})
    names = {cid for ranking in candidates.rankings for cid in ranking.names}
    titled = {file for ranking in candidates.rankings for file in ranking.title_files}
    rows = []
    for index, r in enumerate(results, start=1):
        dense, bm25 = alone[0].get(r.chunk_id), alone[1].get(r.chunk_id)
        dense_h, bm25_h = history[0].get(r.chunk_id), history[1].get(r.chunk_id)
        heading_hits = len(query_stems & _stems(r.headings))
        rows.append(
            [
                r.score * 61.0,
                rank_feature(index),
                rank_feature(dense),
                rank_feature(bm25),
                rank_feature(dense_h),
                rank_feature(bm25_h),
                float(dense is None),
                float(bm25 is None),
                float(r.chunk_id in names),
                float(r.file in titled),
                r.cosine or 0.0,
                float(heading_hits),
                heading_hits / wanted,
                len(query_stems & _stems([r.title])) / wanted,
                per_file[r.file] / n,
                per_section[(r.file, tuple(r.heading_path))] / n,
                math.log1p(positions.get(r.chunk_id, 0)),
                length * rank_feature(dense),
                length * rank_feature(bm25),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(results), len(FEATURES))


def _list_ranks(ranking: QueryRankings) -> tuple[dict[int, int], dict[int, int]]:
    dense = {cid: rank for rank, (cid, _) in enumerate(ranking.dense, start=1)}
    bm25 = {cid: rank for rank, cid in enumerate(ranking.bm25, start=1)}
    return dense, bm25


def file_positions(datastore: Datastore) -> dict[int, int]:
    """Chunk id → its ordinal in its file (chunks are written in file order)."""
    seen: Counter[str] = Counter()
    out = {}
    rows = datastore.connection.execute("SELECT id, file FROM chunks ORDER BY id").fetchall()
    for cid, file in rows:
        out[int(cid)] = seen[file]
        seen[file] += 1
    return out


def labels(question: BenchQuestion, results: Sequence[SearchResult]) -> npt.NDArray[np.int64]:
    """2: a chunk of an expected section; 1: of an expected file; 0: other."""
    files = {e.file for e in question.expected}
    sections = {(e.file, e.heading.strip()) for e in question.expected}
    out = [
        2 if any((r.file, h.strip()) in sections for h in r.headings) else int(r.file in files)
        for r in results
    ]
    return np.asarray(out, dtype=np.int64)


@dataclass(frozen=True)
class Row:
    """A benchmark row ready for the model."""

    question: BenchQuestion
    source: str
    results: list[SearchResult]
    features: Matrix
    labels: npt.NDArray[np.int64]
    feature_ms: float = 0.0  # time to compute ``features`` from the search's candidates


@dataclass(frozen=True)
class PairwiseModel:
    mean: Matrix
    scale: Matrix
    weights: Matrix

    def scores(self, features: Matrix) -> Matrix:
        return np.asarray(((features - self.mean) / self.scale) @ self.weights, dtype=np.float64)


def _pair_differences(rows: Sequence[Row], mean: Matrix, scale: Matrix) -> Matrix:
    """For each row, (better − worse) standardised features of every pair of unequal labels."""
    parts = []
    for row in rows:
        x = (row.features - mean) / scale
        better, worse = np.nonzero(row.labels[:, None] > row.labels[None, :])
        if len(better):
            parts.append(x[better] - x[worse])
    return np.vstack(parts) if parts else np.zeros((0, mean.shape[0]))


def fit_pairwise(rows: Sequence[Row], penalty: float, steps: int = 400) -> PairwiseModel:
    """Linear scores trained on the logistic loss of each pair's order, plus L2 (full-batch
    gradient descent; the loss is convex, so the start and the step only set the speed)."""
    stacked = np.vstack([row.features for row in rows])
    mean = stacked.mean(axis=0)
    scale = stacked.std(axis=0)
    scale[scale == 0] = 1.0
    diffs = _pair_differences(rows, mean, scale)
    weights = np.zeros(len(FEATURES))
    if len(diffs):
        for _ in range(steps):
            margin = diffs @ weights
            pull = 1.0 / (1.0 + np.exp(margin))
            gradient = -(diffs * pull[:, None]).mean(axis=0) + penalty * weights
            weights -= 0.5 * gradient
    return PairwiseModel(mean, scale, weights)


Ordering = Callable[[Sequence[SearchResult], Matrix], list[SearchResult]]


def by_chunk(results: Sequence[SearchResult], scores: Matrix) -> list[SearchResult]:
    """The chunks in the order of their scores; ties keep the fused order."""
    return [results[i] for i in np.argsort(-scores, kind="stable")]


def files_by_model(results: Sequence[SearchResult], scores: Matrix) -> list[SearchResult]:
    """The files in the order of their lead's score (a lead: a file's first chunk in the
    fused order), every other chunk after as many leads as the fusion put before it, never
    before its own file's lead nor before the second lead: the files come in the model's
    order, each file's chunks in the fused order, and no file alone fills the top five."""
    leads: dict[str, int] = {}
    leads_so_far = []
    for index, r in enumerate(results):
        leads.setdefault(r.file, index)
        leads_so_far.append(len(leads))
    files = sorted(leads, key=lambda file: (-scores[leads[file]], leads[file]))
    new_rank = {file: rank for rank, file in enumerate(files, start=1)}
    guard = min(2, len(files))
    after: defaultdict[int, list[SearchResult]] = defaultdict(list)
    for index, r in enumerate(results):
        if leads[r.file] != index:
            after[max(leads_so_far[index], new_rank[r.file], guard)].append(r)
    out = []
    for rank, file in enumerate(files, start=1):
        out += [results[leads[file]], *after[rank]]
    return out


ORDERINGS: dict[str, Ordering] = {"chunks": by_chunk, "files": files_by_model}


def fused_scores(row: Row) -> Matrix:
    """Scores that keep the fused order: with them an ordering shows what it does alone."""
    return -np.arange(len(row.results), dtype=np.float64)


def reranked(
    row: Row, model: PairwiseModel | None, ordering: Ordering = by_chunk
) -> list[SearchResult]:
    """The row's candidates ordered by ``ordering`` from the model's scores (None: the
    fused order, untouched)."""
    if model is None or not row.results:
        return row.results
    return ordering(row.results, model.scores(row.features))


def scored(
    rows: Sequence[Row], model: PairwiseModel | None, ordering: Ordering = by_chunk
) -> list[ScoredRow]:
    return [
        ScoredRow(
            r.question.id,
            r.question.kind,
            r.source,
            score_question(r.question, reranked(r, model, ordering)),
        )
        for r in rows
    ]


def scored_alone(rows: Sequence[Row], ordering: Ordering) -> list[ScoredRow]:
    """``ordering`` over the fused scores: what it does without the model."""
    return [
        ScoredRow(
            r.question.id,
            r.question.kind,
            r.source,
            score_question(r.question, ordering(r.results, fused_scores(r))),
        )
        for r in rows
    ]


def _mean(rows: Sequence[ScoredRow], figure: str) -> float:
    return statistics.fmean(r.scores[figure] for r in rows)


def choose_penalty(
    train: Sequence[Row], folds: int, seed: int, ordering: Ordering = by_chunk
) -> float:
    """The L2 strength with the better MRR under an inner cross-validation of ``train``."""
    inner = stratified_folds(train, lambda r: r.question.kind, folds, seed)
    best, best_mrr = PENALTIES[0], -1.0
    for penalty in PENALTIES:
        held_scores: list[ScoredRow] = []
        for index, held in enumerate(inner):
            fit_rows = [r for j, fold in enumerate(inner) if j != index for r in fold]
            held_scores += scored(held, fit_pairwise(fit_rows, penalty), ordering)
        mrr = _mean(held_scores, "mrr@10")
        if mrr > best_mrr:
            best, best_mrr = penalty, mrr
    return best


@dataclass(frozen=True)
class FoldResult:
    fold: int
    penalty: float
    baseline: list[ScoredRow]
    reranked: list[ScoredRow]
    alone: list[ScoredRow]  # the ordering over the fused scores, without the model


def cross_validate(
    rows: Sequence[Row], folds: int, seed: int, ordering: Ordering = by_chunk
) -> list[FoldResult]:
    dealt = stratified_folds(rows, lambda r: r.question.kind, folds, seed)
    out = []
    for index, held in enumerate(dealt):
        train = [r for j, fold in enumerate(dealt) if j != index for r in fold]
        penalty = choose_penalty(train, folds - 1, seed, ordering)
        model = fit_pairwise(train, penalty)
        out.append(
            FoldResult(
                index,
                penalty,
                scored(held, None),
                scored(held, model, ordering),
                scored_alone(held, ordering),
            )
        )
    return out


def _figures(rows: Sequence[ScoredRow]) -> str:
    return " / ".join(f"{_mean(rows, k):.3f}" for k in FIGURES)


def report(seed: int, results: Sequence[FoldResult]) -> None:
    heads = " / ".join(SHORT[k] for k in FIGURES)
    print(f"\n== seed {seed}: test folds, baseline → re-ranked ({heads})")
    wins = {k: 0 for k in FIGURES}
    for f in results:
        for k in FIGURES:
            wins[k] += _mean(f.reranked, k) > _mean(f.baseline, k)
        print(
            f"  fold {f.fold} n={len(f.baseline):<3} λ {f.penalty:g}  "
            f"{_figures(f.baseline)} → {_figures(f.reranked)}"
        )
    means = {
        part: {k: statistics.fmean(_mean(getattr(f, part), k) for f in results) for k in FIGURES}
        for part in ("baseline", "reranked")
    }
    print(
        "  mean             "
        + " / ".join(f"{means['baseline'][k]:.3f}" for k in FIGURES)
        + " → "
        + " / ".join(f"{means['reranked'][k]:.3f}" for k in FIGURES)
    )
    print("  folds better: " + ", ".join(f"{SHORT[k]} {wins[k]}/{len(results)}" for k in FIGURES))
    print_alone(results)
    pooled_base = [r for f in results for r in f.baseline]
    pooled_new = [r for f in results for r in f.reranked]
    for label, key in (("set", lambda r: r.source), ("kind", lambda r: r.kind)):
        before, after = by_group(pooled_base, key), by_group(pooled_new, key)
        for group in before:
            line = " / ".join(f"{before[group][k]:.3f}" for k in FIGURES)
            line += " → " + " / ".join(f"{after[group][k]:.3f}" for k in FIGURES)
            print(f"  {label:<4} {group:<15} n={int(before[group]['n']):<3} {line}")
    kept = (
        wins["mrr@10"] >= len(results) - 1
        and wins["section_recall@5"] >= len(results) - 1
        and means["reranked"]["recall@5"] >= means["baseline"]["recall@5"]
    )
    print(f"  rule (MRR and section better on ≥ {len(results) - 1} folds, R@5 not lower): {kept}")


def print_alone(results: Sequence[FoldResult]) -> None:
    """The ordering over the fused scores (not judged): the share of the ordering itself."""
    means = " / ".join(
        f"{statistics.fmean(_mean(f.alone, k) for f in results):.3f}" for k in FIGURES
    )
    wins = sum(
        _mean(f.alone, "section_recall@5") > _mean(f.baseline, "section_recall@5") for f in results
    )
    print(f"  ordering alone (fused scores, not judged): {means}")
    print(f"  ordering alone, folds better: section {wins}/{len(results)}")


def load_rows(sets: Sequence[BenchSet], n: int) -> list[Row]:
    embedder = embedder_from_env()
    rows = []
    for bench in sets:
        store = Datastore(ensure_datastore(bench.knowledge, embedder, default_cache_dir())[0])
        kb = KnowledgeBase(store, embedder)
        positions = file_positions(store)
        for question in bench.questions:
            if not question.expected:
                continue
            candidates = search_candidates(kb, question, n)
            start = time.perf_counter()
            features = candidate_features(candidates, positions)
            elapsed = (time.perf_counter() - start) * 1000
            found = labels(question, candidates.results)
            rows.append(Row(question, bench.name, candidates.results, features, found, elapsed))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", default="7,11", help="comma-separated fold seeds")
    parser.add_argument("--candidates", type=int, default=RETRIEVE_K, help="N re-ranked")
    parser.add_argument("--sets", default="tuning,dev,project", help="tuning, dev, project")
    parser.add_argument(
        "--order", choices=sorted(ORDERINGS), default="chunks", help="what the model orders"
    )
    args = parser.parse_args()
    ordering = ORDERINGS[args.order]

    rows = load_rows(bench_sets([s for s in args.sets.split(",") if s]), args.candidates)
    print(
        f"{len(rows)} rows, top {args.candidates} candidates, {len(FEATURES)} features, "
        f"order: {args.order}"
    )
    kinds = defaultdict(int, Counter(r.question.kind for r in rows))
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    for seed in (int(s) for s in args.seeds.split(",")):
        report(seed, cross_validate(rows, args.folds, seed, ordering))
    final = fit_pairwise(rows, PENALTIES[0])
    print(f"\nweights on all rows (λ {PENALTIES[0]:g}, standardised features):")
    for name, weight in sorted(zip(FEATURES, final.weights, strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:<20} {weight:+.3f}")
    print_cost(rows, final, ordering)


def print_cost(rows: Sequence[Row], model: PairwiseModel, ordering: Ordering) -> None:
    """Median time per query of the features and of the model's scores and order."""
    scoring = []
    for row in rows:
        start = time.perf_counter()
        reranked(row, model, ordering)
        scoring.append((time.perf_counter() - start) * 1000)
    features = statistics.median(r.feature_ms for r in rows)
    model_ms = statistics.median(scoring)
    print(f"\ncost per query, p50: features {features:.3f} ms, model + order {model_ms:.3f} ms")
    fused = statistics.fmean(len({r.file for r in row.results[:5]}) for row in rows)
    ordered = statistics.fmean(
        len({r.file for r in reranked(row, model, ordering)[:5]}) for row in rows
    )
    print(
        f"distinct files in the top 5, model on all rows: {fused:.2f} fused, {ordered:.2f} ordered"
    )


if __name__ == "__main__":
    main()
