"""Gate benchmark: refusals as off-topic, per set and language, with the local heuristic (no LLM).

    .venv/bin/python infra/bench_gate.py [--knowledge DIR] [--show]

Sets: ``tests/bench/gate_in_scope.jsonl`` (housing questions as tenants write them, in nine
languages: none may be refused), ``tests/bench/gate_off_topic.jsonl`` (at least 90 % refused),
their ``.holdout`` twins (written after the first word lists, then used to widen them),
``.test`` twins (written after, never tuned on) and ``.eval`` twins (written last, before the
gate was run on them; docs/gate.md says what changed after their first run), and the
benchmark rows without history, the shared development split's and the project's
(``off_topic`` refused, the others not). Each message goes through the real pipeline, fresh
(no history), on the knowledge folder given (default: the shared corpus the bench files are
written for; ``--knowledge knowledge`` for ``make dev``'s).
``--show`` lists every wrong decision with its top cosine and what the gate saw; ``--only
eval`` runs the sets whose name contains "eval".
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]

from pierre_rag.evaluation.retrieval import ensure_datastore  # noqa: E402
from pierre_rag.knowledge.cache import default_cache_dir  # noqa: E402
from pierre_rag.knowledge.embeddings import embedder_from_env  # noqa: E402
from pierre_rag.knowledge.models import AccessLevel  # noqa: E402
from pierre_rag.knowledge.search import KnowledgeBase  # noqa: E402
from pierre_rag.landlords import ContextConfig, LandlordConfig, LandlordRegistry  # noqa: E402
from pierre_rag.pipeline import Outcome, Pipeline, TurnRequest  # noqa: E402
from pierre_rag.storage.memory import MemoryConversations  # noqa: E402

SHARED = Path(os.environ.get("PIERRE_SHARED_DIR", REPO.parent / "shared"))
LANDLORD = LandlordConfig(
    id="bench.example.fr",
    name="Bench",
    contexts={"default": ContextConfig(access=[AccessLevel.COMMUNITY])},
)


def load_rows(path: Path, must_refuse: bool | None) -> list[tuple[str, str, str, bool]]:
    """(id, language, text, must be refused); the bench files say it by their kind."""
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("history"):
            continue  # the gate is measured on fresh messages
        refuse = row["kind"] == "off_topic" if must_refuse is None else must_refuse
        rows.append((row["id"], row["lang"], row.get("text") or row["question"], refuse))
    return rows


async def refused(pipeline: Pipeline, kb: KnowledgeBase, text: str, index: int) -> tuple[bool, str]:
    request = TurnRequest(
        landlord=LANDLORD.id,
        channel="web",
        conversation_id=f"gate-{index}",
        message_id=f"m-{index}",
        text=text,
    )
    result = await pipeline.answer(request)
    cosine = kb.search(text, k=1).top_cosine
    return result.outcome is Outcome.OFF_TOPIC, f"{result.outcome.value}, top cosine {cosine:.2f}"


def local_pipeline(knowledge: Path) -> tuple[Pipeline, KnowledgeBase]:
    """The pipeline without an LLM, on ``knowledge`` (its datastore cached by source hash)."""
    embedder = embedder_from_env()
    datastore, _ = ensure_datastore(knowledge, embedder, default_cache_dir())
    kb = KnowledgeBase.open(datastore, embedder)
    pipeline = Pipeline(
        LandlordRegistry([LANDLORD]), kb, MemoryConversations(), llm_for=lambda _: None
    )
    return pipeline, kb


async def run(knowledge: Path, show: bool, only: str) -> None:
    pipeline, kb = local_pipeline(knowledge)
    sets = {
        "in-scope (ours)": load_rows(REPO / "tests/bench/gate_in_scope.jsonl", False),
        "off-topic (ours)": load_rows(REPO / "tests/bench/gate_off_topic.jsonl", True),
        "in-scope (held out)": load_rows(REPO / "tests/bench/gate_in_scope.holdout.jsonl", False),
        "off-topic (held out)": load_rows(REPO / "tests/bench/gate_off_topic.holdout.jsonl", True),
        "in-scope (test)": load_rows(REPO / "tests/bench/gate_in_scope.test.jsonl", False),
        "off-topic (test)": load_rows(REPO / "tests/bench/gate_off_topic.test.jsonl", True),
        "in-scope (eval)": load_rows(REPO / "tests/bench/gate_in_scope.eval.jsonl", False),
        "off-topic (eval)": load_rows(REPO / "tests/bench/gate_off_topic.eval.jsonl", True),
        "dev bench": load_rows(SHARED / "bench/questions.dev.jsonl", None),
        "project bench": [
            row
            for path in sorted((REPO / "tests/bench").glob("questions.project.*.jsonl"))
            for row in load_rows(path, None)
        ],
    }
    print(f"knowledge: {knowledge}")
    index = 0
    for name, rows in sets.items():
        if only not in name:
            continue
        right: collections.Counter[str] = collections.Counter()
        total: collections.Counter[str] = collections.Counter()
        wrong = []
        for row_id, language, text, must_refuse in rows:
            index += 1
            was_refused, seen = await refused(pipeline, kb, text, index)
            total[language] += 1
            if was_refused == must_refuse:
                right[language] += 1
            else:
                verdict = "refused" if was_refused else "let through"
                wrong.append(f"    {row_id} {language} {verdict} ({seen}): {text[:80]}")
        refusals = sum(1 for *_, refuse in rows if refuse)
        kept = len(rows) - refusals
        wrong_refusals = sum(1 for line in wrong if " refused (" in line)
        missed = len(wrong) - wrong_refusals
        print(
            f"\n{name}: {len(rows)} rows; must refuse {refusals - missed}/{refusals} refused; "
            f"must answer {wrong_refusals}/{kept} wrongly refused"
        )
        print("  right per language: " + "  ".join(f"{k} {right[k]}/{n}" for k, n in total.items()))
        if show and wrong:
            print("\n".join(wrong))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=SHARED / "corpus" / "pierre-knowledge")
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--only", default="", help="run the sets whose name contains this")
    args = parser.parse_args()
    asyncio.run(run(args.knowledge, args.show, args.only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
