"""Retrieval benchmark: file- and section-level Recall@k, MRR@10, latency (bench/README.md).

Conventions: file-level metrics rank *distinct files* in retrieval order; a section hit is a
top-5 chunk whose heading or one of its ancestor (or folded) headings is an expected heading
of that file. ``off_topic`` / ``abusive`` rows without expectations only report the top-1
dense cosine (the out-of-scope signal).

Rows are searched as the pipeline does without an LLM (the message, with its history weighed
as a follow-up or not), or, for the rows given an LLM's understanding (recorded rewrites,
``evaluation.rewrites``), as the pipeline does with one (``pipeline.retrieve.retrieve``).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from pierre_rag.conversations import Turn
from pierre_rag.evaluation.measures import percentile
from pierre_rag.knowledge.build import build_datastore, build_salt
from pierre_rag.knowledge.cache import EmbeddingCache
from pierre_rag.knowledge.chunking import ChunkingConfig
from pierre_rag.knowledge.embeddings import Embedder
from pierre_rag.knowledge.errors import KnowledgeError
from pierre_rag.knowledge.models import DEFAULT_ACCESS, SearchResponse, SearchResult
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.knowledge.sources import discover, source_hash
from pierre_rag.pipeline.models import Understanding
from pierre_rag.pipeline.retrieve import retrieve
from pierre_rag.validation import describe

Kind = Literal["answerable", "other_language", "follow_up", "new_topic", "off_topic", "abusive"]
# ``overall`` keeps the kinds it always had, so figures stay comparable across rounds;
# ``new_topic`` rows (an unrelated history before the question) are reported in ``by_kind``
# and folded into ``overall_with_new_topic``.
RECALL_KINDS = ("answerable", "other_language", "follow_up")
ALL_RECALL_KINDS = (*RECALL_KINDS, "new_topic")
CUTOFFS = (1, 3, 5, 10)
RETRIEVE_K = 30


class EvalInputError(KnowledgeError):
    """The questions file is missing or malformed."""


class BenchTurn(BaseModel):
    role: str
    content: str


class Expected(BaseModel):
    file: str
    heading: str


class BenchQuestion(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    kind: Kind
    lang: str = "fr"
    history: list[BenchTurn] = []
    question: str
    expected: list[Expected] = []


def load_questions(path: Path) -> list[BenchQuestion]:
    if not path.is_file():
        raise EvalInputError(f"questions file not found: {path}")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            questions.append(BenchQuestion.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise EvalInputError(f"{path}:{number}: not valid JSON: {exc.msg}") from exc
        except ValidationError as exc:
            raise EvalInputError(f"{path}:{number}: {describe(exc)}") from exc
    if not questions:
        raise EvalInputError(f"{path}: no questions")
    return questions


def ensure_datastore(
    knowledge: Path, embedder: Embedder, cache_dir: Path, *, rebuild: bool = False
) -> tuple[Path, float]:
    """A datastore for ``knowledge`` keyed by its source hash; returns (path, build seconds)."""
    config = ChunkingConfig()
    digest = source_hash(discover([knowledge]), build_salt(embedder, config))
    path = cache_dir / "eval" / f"datastore-{digest[:20]}.sqlite"
    timing = path.with_suffix(".build_s")
    if path.is_file() and timing.is_file() and not rebuild:
        return path, float(timing.read_text())
    cache = EmbeddingCache(cache_dir / "embeddings.sqlite")
    try:
        report = build_datastore([knowledge], path, embedder, cache=cache, config=config)
    finally:
        cache.close()
    # Return exactly what a later run will read back, so a fresh build and a reuse report
    # the same figure (rounding the raw float here and the parsed text later could differ).
    seconds = float(f"{report.seconds:.3f}")
    timing.write_text(f"{seconds:.3f}")
    return path, seconds


def _section_hit(results: Sequence[SearchResult], question: BenchQuestion) -> bool:
    wanted = {(e.file, e.heading.strip()) for e in question.expected}
    return any((r.file, h.strip()) in wanted for r in results for h in r.headings)


def score_question(question: BenchQuestion, results: Sequence[SearchResult]) -> dict[str, float]:
    files = list(dict.fromkeys(r.file for r in results))
    expected = {e.file for e in question.expected}
    rank = next((i for i, f in enumerate(files, start=1) if f in expected), None)
    scores = {f"recall@{k}": float(rank is not None and rank <= k) for k in CUTOFFS}
    scores["mrr@10"] = 1.0 / rank if rank is not None and rank <= 10 else 0.0
    scores["section_recall@5"] = float(_section_hit(results[:5], question))
    return scores


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    keys = [*(f"recall@{k}" for k in CUTOFFS), "mrr@10", "section_recall@5"]
    return {key: round(statistics.fmean(r[key] for r in rows), 4) for key in keys}


def history_turns(question: BenchQuestion) -> list[Turn]:
    """The row's history as the pipeline holds a conversation's turns."""
    return [
        Turn(
            role="user" if turn.role == "user" else "assistant",
            content=turn.content,
            message_id=f"history-{number}",
            created_ms=number,
        )
        for number, turn in enumerate(question.history, start=1)
    ]


def search_row(
    kb: KnowledgeBase, question: BenchQuestion, understanding: Understanding | None
) -> SearchResponse:
    """Without an understanding, the message and its history as the pipeline searches them
    without an LLM; with one, exactly what the pipeline searches with that understanding."""
    if understanding is None:
        history = [t.model_dump() for t in question.history]
        return kb.search_with_history(question.question, history, k=RETRIEVE_K)
    return retrieve(
        kb,
        understanding,
        question.question,
        k=RETRIEVE_K,
        landlord=None,
        access=DEFAULT_ACCESS,
        history=history_turns(question),
    )


def run_eval(
    kb: KnowledgeBase,
    questions: Sequence[BenchQuestion],
    understandings: Mapping[str, Understanding] | None = None,
) -> dict[str, Any]:
    """Figures over ``questions``; the rows in ``understandings`` (by id) are searched with
    that LLM understanding, and the report then counts them under ``rewrites``."""
    kb.embedder.embed(["warm up"])
    given = understandings or {}
    scored: dict[str, list[dict[str, float]]] = {}
    cosines: dict[str, list[float]] = {}
    latencies: list[float] = []
    per_question: list[dict[str, Any]] = []
    rewritten: dict[str, int] = {}
    for question in questions:
        understanding = given.get(question.id)
        start = time.perf_counter()
        response = search_row(kb, question, understanding)
        latencies.append((time.perf_counter() - start) * 1000)
        cosines.setdefault(question.kind, []).append(response.top_cosine)
        if understanding is not None:
            rewritten[question.kind] = rewritten.get(question.kind, 0) + 1
        if question.expected:
            scores = score_question(question, response.results)
            scored.setdefault(question.kind, []).append(scores)
            flag = {"rewritten": understanding is not None} if understandings is not None else {}
            per_question.append({"id": question.id, **scores, **flag})
    overall = [row for kind in RECALL_KINDS for row in scored.get(kind, [])]
    overall_all = [row for kind in ALL_RECALL_KINDS for row in scored.get(kind, [])]
    by_kind: dict[str, dict[str, float]] = {}
    for kind in sorted(set(cosines)):
        stats: dict[str, float] = _mean(scored[kind]) if kind in scored else {}
        stats["n"] = len(cosines[kind])
        stats["top_cosine_mean"] = round(statistics.fmean(cosines[kind]), 4)
        stats["top_cosine_min"] = round(min(cosines[kind]), 4)
        stats["top_cosine_max"] = round(max(cosines[kind]), 4)
        by_kind[kind] = stats
    report: dict[str, Any] = {
        "overall": _mean(overall) if overall else {},
        "overall_with_new_topic": _mean(overall_all) if overall_all else {},
        "by_kind": by_kind,
        "latency_ms": {
            "p50": round(percentile(latencies, 0.5), 2),
            "p95": round(percentile(latencies, 0.95), 2),
        },
        "per_question": per_question,
    }
    if understandings is not None:
        report["rewrites"] = {
            "rows": len(questions),
            "used": sum(rewritten.values()),
            "by_kind": dict(sorted(rewritten.items())),
        }
    return report
