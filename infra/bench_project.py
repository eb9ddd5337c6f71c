"""Retrieval on the project's own questions (``tests/bench/questions.project.*.jsonl``).

    .venv/bin/python infra/bench_project.py                       # on knowledge/
    .venv/bin/python infra/bench_project.py --knowledge OTHER_DIR  # e.g. an older checkout

``pierre eval retrieval`` takes one questions file; the project's set is split into parts
(written at different times, each before the articles it checks). This prints the figures
of each part and of all parts together, with the rows whose expected file is not in the top 5.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
from pathlib import Path
from typing import Any

from pierre_rag.evaluation.retrieval import (
    BenchQuestion,
    ensure_datastore,
    load_questions,
    run_eval,
)
from pierre_rag.knowledge.cache import default_cache_dir
from pierre_rag.knowledge.embeddings import embedder_from_env
from pierre_rag.knowledge.search import KnowledgeBase

REPO = Path(__file__).resolve().parents[1]
FIGURES = ("recall@1", "recall@5", "mrr@10", "section_recall@5")


def _line(name: str, report: dict[str, Any], count: int) -> str:
    figures = "  ".join(f"{key} {report['overall'][key]:.3f}" for key in FIGURES)
    return f"{name:<10} n={count:<3} {figures}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--knowledge", type=Path, default=REPO / "knowledge")
    args = parser.parse_args()

    parts = {
        path.stem.rsplit(".", 1)[-1]: load_questions(path)
        for path in sorted((REPO / "tests/bench").glob("questions.project.*.jsonl"))
    }
    embedder = embedder_from_env()
    datastore, _ = ensure_datastore(args.knowledge, embedder, default_cache_dir())
    kb = KnowledgeBase.open(datastore, embedder)
    everything: list[BenchQuestion] = [q for questions in parts.values() for q in questions]
    print(f"knowledge: {args.knowledge}  chunks: {kb.datastore.chunk_count()}")
    for name, questions in parts.items():
        print(_line(name, run_eval(kb, questions), len(questions)))
    report = run_eval(kb, everything)
    print(_line("all", report, len(everything)))
    for kind, stats in report["by_kind"].items():
        print(f"  {kind:<16} n={stats['n']:<3} recall@5 {stats['recall@5']:.3f}")
    missed = [row["id"] for row in report["per_question"] if row["recall@5"] < 1]
    print(f"expected file not in the top 5: {', '.join(missed) or 'none'}")


if __name__ == "__main__":
    main()
