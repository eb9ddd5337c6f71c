"""Follow-up or new topic: k-fold cross-validation of the local decision (knowledge.followup).

    .venv/bin/python infra/topic_cv.py            # 5 folds, prints per-fold and mean figures

Rows: tests/bench/topic_turns.jsonl and the development split's follow_up and new_topic rows
(the shared bench folder). For each candidate (which signals, the weight floor), the logistic
coefficients are fitted on four folds (label: follow_up) and Recall@5 is measured on the fifth;
a signal is kept only if it helps out-of-fold. The last lines print the coefficients fitted on
all rows for the best candidate, to copy into ``FollowUpModel``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import random
import statistics
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from pierre_rag.evaluation.retrieval import BenchQuestion, ensure_datastore, load_questions
from pierre_rag.evaluation.retrieval import score_question as score
from pierre_rag.knowledge import followup
from pierre_rag.knowledge.cache import default_cache_dir
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.embeddings import embedder_from_env
from pierre_rag.knowledge.followup import FollowUpModel, Signals
from pierre_rag.knowledge.models import DEFAULT_ACCESS
from pierre_rag.knowledge.search import KnowledgeBase, QueryRankings, contextual_query
from pierre_rag.knowledge.sources import visible_scopes

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PIERRE_SHARED_DIR", REPO.parent / "shared"))
SIGNALS = ("link", "pronoun", "change", "known_words", "alone_cosine")
CANDIDATES: list[tuple[tuple[str, ...], float]] = [
    (signals, floor)
    for signals in (
        (),
        ("link", "pronoun", "change"),
        ("known_words", "alone_cosine"),
        ("link", "pronoun", "change", "known_words"),
        ("link", "pronoun", "change", "alone_cosine"),
        SIGNALS,
    )
    for floor in (0.0, 0.25, 0.5)
]


@dataclass
class Row:
    question: BenchQuestion
    signals: Signals
    rankings: list[QueryRankings]


def _features(signals: Signals, names: tuple[str, ...], cap: int) -> list[float]:
    values = {
        "link": float(signals.link),
        "pronoun": float(signals.pronoun),
        "change": float(signals.change),
        "known_words": float(min(signals.known_words, cap)),
        "alone_cosine": signals.alone_cosine,
    }
    return [values[name] for name in names]


def fit(rows: list[Row], names: tuple[str, ...], floor: float) -> FollowUpModel:
    """Logistic regression (L2, gradient descent) of follow_up on the named signals."""
    cap = FollowUpModel().words_cap
    x = np.array([[1.0, *_features(r.signals, names, cap)] for r in rows])
    y = np.array([float(r.question.kind == "follow_up") for r in rows])
    w = np.zeros(x.shape[1])
    for _ in range(3000):
        p = 1.0 / (1.0 + np.exp(-x @ w))
        w -= 0.1 * (x.T @ (p - y) / len(y) + 0.01 * np.r_[0.0, w[1:]])
    fitted = dict(zip(names, (round(float(v), 2) for v in w[1:]), strict=True))
    return FollowUpModel(
        bias=round(float(w[0]), 2),
        floor=floor,
        **{name: fitted.get(name, 0.0) for name in SIGNALS},  # type: ignore[arg-type]
    )


def recall(kb: KnowledgeBase, rows: list[Row], model: FollowUpModel) -> dict[str, float]:
    hits: dict[str, list[float]] = {}
    for row in rows:
        q = row.question
        response = kb._fused(row.rankings, model.weights(row.signals), 30, [q.question])
        hits.setdefault(q.kind, []).append(score(q, response.results)["recall@5"])
    return {kind: round(statistics.fmean(v), 3) for kind, v in sorted(hits.items())}


def prepare(kb: KnowledgeBase, questions: list[BenchQuestion]) -> list[Row]:
    scopes = visible_scopes(None, DEFAULT_ACCESS)
    rows = []
    for q in questions:
        history = [t.model_dump() for t in q.history]
        # as the search plans them (its vocabulary, places, glossary and acronyms)
        plans = [kb._plan(t) for t in (q.question, contextual_query(q.question, history))]
        rankings = kb._rankings(plans, scopes)
        cosine = rankings[0].dense[0][1] if rankings[0].dense else 0.0
        rows.append(Row(q, followup.signals(q.question, len(plans[0].words), cosine), rankings))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    embedder = embedder_from_env()
    path, _ = ensure_datastore(
        SHARED / "corpus" / "pierre-knowledge", embedder, default_cache_dir()
    )
    kb = KnowledgeBase(Datastore(path), embedder)
    questions = load_questions(REPO / "tests" / "bench" / "topic_turns.jsonl")
    questions += [
        q
        for q in load_questions(SHARED / "bench" / "questions.dev.jsonl")
        if q.kind in ("follow_up", "new_topic")
    ]
    rows = prepare(kb, questions)
    random.Random(args.seed).shuffle(rows)  # noqa: S311 (folds, not secrets)
    folds = [rows[i :: args.folds] for i in range(args.folds)]
    print(f"{len(rows)} rows, {args.folds} folds")
    print(
        "baseline contextual only:",
        recall(kb, rows, replace(FollowUpModel(), bias=50.0, floor=0.0)),
    )
    print(
        "baseline message alone:  ",
        recall(kb, rows, replace(FollowUpModel(), bias=-50.0, floor=0.0)),
    )
    best: tuple[float, tuple[str, ...], float] = (-1.0, (), 0.0)
    for names, floor in CANDIDATES:
        per_fold = []
        for i, held in enumerate(folds):
            train = [r for j, fold in enumerate(folds) if j != i for r in fold]
            per_fold.append(recall(kb, held, fit(train, names, floor)))
        mean = {k: round(statistics.fmean(f.get(k, 0.0) for f in per_fold), 3) for k in per_fold[0]}
        worst = min(mean.values())
        print(
            f"{'+'.join(names) or 'bias only':48s} floor={floor:.2f} mean={mean} folds={per_fold}"
        )
        if worst > best[0]:
            best = (worst, names, floor)
    _, names, floor = best
    print(f"best (highest worse-kind R@5 out of fold): {'+'.join(names)} floor={floor}")
    model = fit(rows, names, floor)
    print("fitted on all rows:", model, recall(kb, rows, model))


if __name__ == "__main__":
    main()
