"""Which section an extractive answer quotes, and when a match is too weak: k-fold CV.

    .venv/bin/python infra/answer_cv.py            # 5 folds, prints per-fold and mean figures

Rows: the development split (the shared bench folder, on its corpus), tests/bench/topic_turns.jsonl
(same corpus) and tests/bench/questions.project.* (on knowledge/); ``--tuning`` adds our tuning
set (corpus), ``--short`` and ``--first`` the short messages and the first questions (knowledge/,
never their held-out files). Each row goes through the
pipeline's stages without an LLM (understand, gate, search, the sections numbered for the web)
and the candidates of ``extractive.candidates`` get the signals of ``pipeline.pick``.

1. **Picking.** For each set of signals (one left out at a time, and all), the weights are
   chosen on four folds from a small grid (best share of rows whose picked section is an
   expected one; ties to the smaller weights) and the share is measured on the fifth. A signal
   is kept only if leaving it out loses out of fold.
2. **Weak match.** Answerable rows must be answered; the project's damp-and-pests rows, asked
   of the third-party corpus (which has no article on either), and the off-topic rows that
   reach the search must not. For each measure of the match (the search's top cosine, the
   picked section's word coverage), the threshold is chosen on four folds (most no-answer rows
   caught with at most 2 % of answerable rows lost) and measured on the fifth.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import itertools
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pierre_rag.conversations import Turn
from pierre_rag.evaluation.cross_validation import stratified_folds
from pierre_rag.evaluation.retrieval import BenchQuestion, ensure_datastore, load_questions
from pierre_rag.knowledge.cache import default_cache_dir
from pierre_rag.knowledge.embeddings import embedder_from_env
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.pipeline.answer import PipelineConfig
from pierre_rag.pipeline.channels import WEB
from pierre_rag.pipeline.extractive import candidate_signals, candidates
from pierre_rag.pipeline.gate import gate, gate_search
from pierre_rag.pipeline.pick import WEIGHTS, PickWeights, Signals, best
from pierre_rag.pipeline.retrieve import Grounding, number_sources, retrieve
from pierre_rag.pipeline.understanding import heuristic_understanding
from pierre_rag.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PIERRE_SHARED_DIR", REPO.parent / "shared"))
# Topics the third-party corpus has no article on (no section on mould or pests in it): the
# project's rows on them, asked of that corpus, must get "nothing found".
ABSENT_TOPICS = (
    "commun/humidite-et-moisissures.md",
    "commun/punaises-de-lit-cafards-et-rongeurs.md",
)
GRID: dict[str, tuple[float, ...]] = {
    "heading": (0.0, 0.25, 0.5, 1.0, 2.0),
    "intent": (0.0, 0.1, 0.25, 0.5),
    "coverage": (0.0, 0.25, 0.5, 1.0),
}
CANDIDATES = (2, 3, 4)  # sections competing
MAX_LOST = 0.02  # answerable rows a weak-match threshold may turn into "nothing found"


@dataclass
class Row:
    question: BenchQuestion
    answerable: bool  # the corpus searched holds the answer
    top_cosine: float  # the search's best dense cosine (0 when the gate stopped the row)
    heading_idf: float  # the rarest word of the message heading a first section (0: none)
    signals: list[Signals]  # one per candidate section, in the search's order
    right: list[bool]  # whether each candidate is an expected section


def _expected(question: BenchQuestion, file: str, breadcrumb: str) -> bool:
    headings = {part.strip() for part in breadcrumb.split(" > ")}
    return any(e.file == file and e.heading.strip() in headings for e in question.expected)


def prepare(
    kb: KnowledgeBase,
    registry: LandlordRegistry,
    questions: Sequence[BenchQuestion],
    absent: bool,
    k: int,
    sections: int,
) -> list[Row]:
    """The rows as the pipeline sees them on the web, without an LLM."""
    config = PipelineConfig()
    landlord = registry.get(registry.ids[0])
    context = landlord.context("default")
    rows = []
    for q in questions:
        history = [
            Turn(
                role="assistant" if t.role == "assistant" else "user",
                content=t.content,
                message_id=f"h{n}",
                created_ms=n,
            )
            for n, t in enumerate(q.history)
        ]
        understanding = heuristic_understanding(q.question)
        no_answer = absent or not q.expected
        if gate(q.question, understanding, context.greeting) is not None:
            rows.append(Row(q, not no_answer, 0.0, 0.0, [], []))
            continue
        found = retrieve(
            kb,
            understanding,
            q.question,
            k=k,
            landlord=landlord.id,
            access=context.access,
            history=history,
        )
        refused = gate_search(
            understanding,
            found,
            in_scope_min_cosine=config.in_scope_min_cosine,
            nothing_found_min_cosine=0.0,  # measured here
            scope_min_cosine=config.scope_min_cosine,
            elsewhere_margin=config.elsewhere_margin,
            handoff=None,
        )
        if refused is not None or not found.results:
            rows.append(Row(q, not no_answer, 0.0, 0.0, [], []))
            continue
        grounding: Grounding = number_sources(found.results, sections)
        order = candidates(grounding)
        question = understanding.standalone_question or q.question
        signals = candidate_signals(grounding, order, question)
        right = [
            not no_answer
            and _expected(q, grounding.sources[i].file, grounding.sources[i].breadcrumb)
            for i in order
        ]
        rows.append(Row(q, not no_answer, found.top_cosine, found.heading_idf, signals, right))
    return rows


def picked_right(rows: Sequence[Row], weights: PickWeights) -> float:
    scored = [r for r in rows if r.answerable]
    hits = [bool(r.signals) and r.right[best(r.signals, weights)] for r in scored]
    return sum(hits) / len(hits) if hits else 0.0


def grid(signals: Sequence[str]) -> list[PickWeights]:
    axes = [GRID[name] if name in signals else (0.0,) for name in ("heading", "intent", "coverage")]
    return [
        PickWeights(rank=1.0, heading=h, intent=i, coverage=c, candidates=n)
        for h, i, c in itertools.product(*axes)
        for n in CANDIDATES
    ]


def fit_pick(rows: Sequence[Row], signals: Sequence[str]) -> PickWeights:
    def key(w: PickWeights) -> tuple[float, float]:
        return (picked_right(rows, w), -(w.heading + w.intent + w.coverage + w.candidates / 10))

    return max(grid(signals), key=key)


# --- weak match -------------------------------------------------------------------------------


def coverage_of_pick(row: Row, weights: PickWeights) -> float:
    return row.signals[best(row.signals, weights)].coverage if row.signals else 0.0


Measure = Callable[[Row], float]


def fit_threshold(rows: Sequence[Row], measure: Measure) -> float:
    """The highest threshold losing at most MAX_LOST of the answerable rows."""
    answerable = sorted(measure(r) for r in rows if r.answerable and r.signals)
    lost = int(MAX_LOST * len(answerable))
    return answerable[lost] if answerable else 0.0


def weak_figures(rows: Sequence[Row], measure: Measure, threshold: float) -> tuple[float, float]:
    """(answerable rows lost, no-answer rows caught) at ``threshold``; rows the gate stopped
    count as caught (they are refused or get "nothing found" already)."""
    answerable = [r for r in rows if r.answerable]
    missing = [r for r in rows if not r.answerable]
    lost = sum(bool(r.signals) and measure(r) < threshold for r in answerable)
    caught = sum(not r.signals or measure(r) < threshold for r in missing)
    return lost / max(len(answerable), 1), caught / max(len(missing), 1)


def bench_rows(
    tuning: bool, short: bool, first: bool
) -> tuple[list[BenchQuestion], list[BenchQuestion]]:
    """The rows asked of the third-party corpus, and those asked of ``knowledge/``."""
    bench = REPO / "tests" / "bench"
    shared = load_questions(SHARED / "bench" / "questions.dev.jsonl")
    shared += load_questions(bench / "topic_turns.jsonl")
    if tuning:
        shared += load_questions(bench / "questions.tuning.jsonl")
    own = [
        q for path in sorted(bench.glob("questions.project.*.jsonl")) for q in load_questions(path)
    ]
    if short:
        own += load_questions(bench / "short_messages.jsonl")
    if first:
        own += load_questions(bench / "first_questions.jsonl")
    return shared, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--k", type=int, default=PipelineConfig().search_k, help="chunks searched")
    parser.add_argument("--sections", type=int, default=WEB.sources, help="sections numbered")
    parser.add_argument(
        "--short", action="store_true", help="add tests/bench/short_messages.jsonl (knowledge/)"
    )
    parser.add_argument(
        "--first", action="store_true", help="add tests/bench/first_questions.jsonl (knowledge/)"
    )
    parser.add_argument(
        "--tuning", action="store_true", help="add tests/bench/questions.tuning.jsonl (corpus)"
    )
    args = parser.parse_args()
    embedder = embedder_from_env()
    registry = LandlordRegistry.from_directory(Settings.from_env().landlords_dir)

    def open_kb(folder: Path) -> KnowledgeBase:
        path, _ = ensure_datastore(folder, embedder, default_cache_dir())
        return KnowledgeBase.open(path, embedder)

    third_party = open_kb(SHARED / "corpus" / "pierre-knowledge")
    project = open_kb(REPO / "knowledge")
    shared, own = bench_rows(args.tuning, args.short, args.first)
    gaps = [q for q in own if q.expected and all(e.file in ABSENT_TOPICS for e in q.expected)]
    rows = prepare(third_party, registry, shared, absent=False, k=args.k, sections=args.sections)
    rows += prepare(project, registry, own, absent=False, k=args.k, sections=args.sections)
    rows += prepare(third_party, registry, gaps, absent=True, k=args.k, sections=args.sections)
    answerable = [r for r in rows if r.answerable]
    print(
        f"rows: {len(rows)} ({len(answerable)} answerable, {len(rows) - len(answerable)} without "
        f"an answer); answerable rows with an expected section among the candidates: "
        f"{sum(any(r.right) for r in answerable) / len(answerable):.3f}"
    )
    print(f"search's order (rank only): {picked_right(rows, PickWeights(candidates=1)):.3f}")

    # One kind: the rows shuffled (seeded) and dealt in turn, as retrieval_cv.py deals each kind.
    parts = stratified_folds(rows, lambda _: "row", args.folds, args.seed)
    names = ("heading", "intent", "coverage")
    variants = {"all": names, **{f"without {n}": tuple(x for x in names if x != n) for n in names}}
    variants["rank only"] = ()
    for label, signals in variants.items():
        scores = []
        for k, held in enumerate(parts):
            train = [r for j, part in enumerate(parts) if j != k for r in part]
            weights = fit_pick(train, signals)
            scores.append(picked_right(held, weights))
            if label == "all":
                print(f"  fold {k + 1}: out of fold {scores[-1]:.3f}  weights {weights}")
        per_fold = ", ".join(f"{s:.2f}" for s in scores)
        print(f"{label:<18} out of fold {statistics.fmean(scores):.3f}  ({per_fold})")

    chosen = fit_pick(rows, names)
    print(f"fitted on all rows: {chosen}  in sample {picked_right(rows, chosen):.3f}")
    dev = [r for r in rows if r.question.id.startswith("dev")]
    print(f"dev rows, fitted weights: {picked_right(dev, chosen):.3f}")
    print(f"dev rows, the pipeline's weights {WEIGHTS}: {picked_right(dev, WEIGHTS):.3f}")

    heading = PipelineConfig().heading_min_idf

    def cosine_or_heading(row: Row) -> float:
        """The top cosine, or 1 when a rare word of the message heads a first section."""
        return 1.0 if row.heading_idf >= heading else row.top_cosine

    measures: dict[str, Measure] = {
        "top cosine": lambda r: r.top_cosine,
        f"top cosine or a heading word (idf >= {heading})": cosine_or_heading,
        "picked coverage": lambda r: coverage_of_pick(r, chosen),
    }
    for label, measure in measures.items():
        lost, caught = [], []
        for k, held in enumerate(parts):
            train = [r for j, part in enumerate(parts) if j != k for r in part]
            threshold = fit_threshold(train, measure)
            fold_lost, fold_caught = weak_figures(held, measure, threshold)
            lost.append(fold_lost)
            caught.append(fold_caught)
            print(
                f"  {label} fold {k + 1}: threshold {threshold:.3f} "
                f"lost {fold_lost:.3f} caught {fold_caught:.3f}"
            )
        threshold = fit_threshold(rows, measure)
        print(
            f"{label:<18} out of fold: answerable lost {statistics.fmean(lost):.3f}, "
            f"no-answer caught {statistics.fmean(caught):.3f}; "
            f"on all rows: threshold {threshold:.3f}"
        )
    for r in rows:
        if not r.answerable:
            coverage = coverage_of_pick(r, chosen)
            print(
                f"  no answer {r.question.id}: cosine {r.top_cosine:.3f} coverage {coverage:.2f} "
                f"heading idf {r.heading_idf:.2f}"
            )


if __name__ == "__main__":
    main()
