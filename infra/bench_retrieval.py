"""Retrieval latency benchmark: build time, then search p50/p95 at 1x, 10x and 100x chunks.

    .venv/bin/python infra/bench_retrieval.py                      # shared corpus, 1x 10x 100x
    .venv/bin/python infra/bench_retrieval.py --scales 1,10 --cold-build

Latency is measured end to end as the pipeline sees it: query analysis + query embedding
(local USE, one thread) + BM25 + KNN + fusion + fetching the rows. Larger scales are
synthetic: real chunks with shuffled words and random unit vectors (it is about latency, not
quality). Targets (README, Benchmarks): p50 <= 20 ms at corpus size; full build <= 120 s.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from pierre_rag.evaluation.measures import percentile
from pierre_rag.evaluation.retrieval import load_questions
from pierre_rag.knowledge.build import (
    ChunkRow,
    build_datastore,
    collect_chunks,
    write_datastore,
)
from pierre_rag.knowledge.cache import EmbeddingCache, default_cache_dir
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.embeddings import UseEmbedder, normalise
from pierre_rag.knowledge.search import KnowledgeBase, contextual_query

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PIERRE_SHARED_DIR", REPO.parent / "shared"))


def _percentiles(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 0.5), 2),
        "p95": round(percentile(values, 0.95), 2),
        "mean": round(statistics.fmean(values), 2),
    }


def _synthetic_rows(rows: list[ChunkRow], count: int, rng: random.Random) -> list[ChunkRow]:
    """``count`` extra chunks: real chunks with shuffled words (realistic FTS postings)."""
    out = []
    for i in range(count):
        base = rows[i % len(rows)]
        words = base.text.split()
        rng.shuffle(words)
        out.append(replace(base, file=f"synthetic/{i // 50}.md", text=" ".join(words)))
    return out


def _latencies(kb: KnowledgeBase, queries: list[str], rounds: int) -> list[float]:
    kb.search(queries[0], k=5)  # warm caches
    timings = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            kb.search(query, k=5)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--knowledge", type=Path, default=SHARED / "corpus" / "pierre-knowledge")
    parser.add_argument("--questions", type=Path, default=SHARED / "bench" / "questions.dev.jsonl")
    parser.add_argument(
        "--scales", default="1,10,100", help="comma list of multiples of the corpus"
    )
    parser.add_argument("--rounds", type=int, default=3, help="passes over the questions per scale")
    parser.add_argument("--work-dir", type=Path, default=REPO / "build" / "bench")
    parser.add_argument(
        "--cold-build", action="store_true", help="time a build with an empty cache"
    )
    args = parser.parse_args(argv)
    if not args.knowledge.is_dir() or not args.questions.is_file():
        print(f"bench: need {args.knowledge} and {args.questions}", file=sys.stderr)
        return 1

    args.work_dir.mkdir(parents=True, exist_ok=True)
    embedder = UseEmbedder(threads=1)
    load_start = time.perf_counter()
    embedder.load()
    report: dict[str, object] = {"model_load_s": round(time.perf_counter() - load_start, 2)}

    base = args.work_dir / "datastore-1x.sqlite"
    with tempfile.TemporaryDirectory() as cold:
        cache_dir = Path(cold) if args.cold_build else default_cache_dir()
        cache = EmbeddingCache(cache_dir / "embeddings.sqlite")
        build = build_datastore([args.knowledge], base, embedder, cache=cache)
        cache.close()
    report["build"] = {
        "seconds": round(build.seconds, 1),
        "chunks": build.chunks,
        "embedded": build.embedded,
        "cold": args.cold_build,
    }
    print(f"build: {build.chunks} chunks, {build.seconds:.1f} s", file=sys.stderr)

    questions = load_questions(args.questions)
    queries = [contextual_query(q.question, [t.model_dump() for t in q.history]) for q in questions]
    rows = collect_chunks([args.knowledge])
    dims = embedder.dims
    rng = random.Random(42)  # noqa: S311 (synthetic text, not security)
    scales: dict[str, object] = {}
    for scale in (int(s) for s in args.scales.split(",")):
        path = base
        if scale > 1:
            path = args.work_dir / f"datastore-{scale}x.sqlite"
            if not path.is_file():
                start = time.perf_counter()
                synthetic = rows + _synthetic_rows(rows, len(rows) * (scale - 1), rng)
                noise = np.random.default_rng(42).standard_normal((len(synthetic), dims))
                random_vectors = normalise(noise)
                tmp = path.with_suffix(".tmp")
                write_datastore(
                    tmp, synthetic, random_vectors, embedder.model_id, f"synthetic-{scale}x"
                )
                tmp.replace(path)
                took = time.perf_counter() - start
                print(f"{scale}x: wrote {len(synthetic)} chunks in {took:.0f} s", file=sys.stderr)
        kb = KnowledgeBase(Datastore(path), embedder)
        timings = _latencies(kb, queries, args.rounds)
        embed_only = []
        for query in queries:
            start = time.perf_counter()
            embedder.embed([query])
            embed_only.append((time.perf_counter() - start) * 1000)
        scales[f"{scale}x"] = {
            "chunks": kb.datastore.chunk_count(),
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "search_ms": _percentiles(timings),
            "query_embedding_ms": _percentiles(embed_only),
        }
        kb.datastore.close()
        print(f"{scale}x: {json.dumps(scales[f'{scale}x'])}", file=sys.stderr)
    report["scales"] = scales
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
