"""Do extractive answers hold the fact that answers? Plain questions, the project's knowledge.

    .venv/bin/python infra/bench_answer_facts.py [--facts tests/bench/answer_facts.jsonl]
                                                 [--knowledge knowledge] [--details]

``pierre eval answers`` asks whether an answer quotes an expected *section*; a section can
be quoted and still not say what was asked, when the passage is cut to the channel's budget
before the sentence or the list item that answers. Each row here is a question written the
way tenants write, with the words of the fact that answers it (``facts``, folded: no
accents, lower case; any one is enough), written from the project's own knowledge before
any run. Each is asked once, without history, of the example landlord (its knowledge and
the community's), on the web and by SMS, with no LLM (extractive answers). Printed: per
channel, the share of answers holding a fact; for the search alone, the share of rows whose
first section holds a fact, and whose first five do; with ``--details``, one line per row
and channel.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any, Protocol

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pierre_rag.channel import Channel  # noqa: E402
from pierre_rag.knowledge.models import SearchResponse  # noqa: E402
from pierre_rag.pipeline import Pipeline, TurnRequest  # noqa: E402
from pierre_rag.pipeline.text import markdown_to_plain  # noqa: E402

FACTS = REPO / "tests" / "bench" / "answer_facts.jsonl"
LANDLORD = "pierre-habitat.fr"
CHANNELS: tuple[Channel, ...] = ("web", "sms")


def folded(text: str) -> str:
    """Lower case, no accents, straight apostrophes, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def holds_fact(answer: str, facts: list[str]) -> bool:
    text = folded(markdown_to_plain(answer))
    return any(folded(fact) in text for fact in facts)


class Searches(Protocol):
    def search(self, query: str, *, k: int, landlord: str) -> SearchResponse: ...


def fact_rank(knowledge: Searches, row: dict[str, Any], depth: int = 5) -> int | None:
    """The rank (1 first) of the search's first section holding a fact, if one of ``depth``
    does."""
    found = knowledge.search(row["question"], k=depth, landlord=LANDLORD)
    for rank, result in enumerate(found.results, start=1):
        if any(folded(fact) in folded(result.text) for fact in row["facts"]):
            return rank
    return None


def load_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row.get("question"), str) or not row.get("facts"):
            raise SystemExit(f"{path}:{number}: a row needs a question and facts")
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=Path, default=FACTS)
    parser.add_argument("--knowledge", type=Path, default=REPO / "knowledge")
    parser.add_argument("--details", action="store_true")
    args = parser.parse_args(argv)

    from pierre_rag.evaluation.retrieval import ensure_datastore
    from pierre_rag.knowledge.cache import default_cache_dir
    from pierre_rag.knowledge.embeddings import embedder_from_env
    from pierre_rag.knowledge.search import KnowledgeBase
    from pierre_rag.landlords import LandlordRegistry
    from pierre_rag.storage.memory import MemoryConversations

    rows = load_rows(args.facts)
    embedder = embedder_from_env()
    path, _ = ensure_datastore(args.knowledge, embedder, default_cache_dir())
    registry = LandlordRegistry.from_directory(args.knowledge)
    knowledge = KnowledgeBase.open(path, embedder)
    pipeline = Pipeline(registry, knowledge, MemoryConversations(), llm_for=lambda _: None)
    report: dict[str, Any] = {"n": len(rows)}
    ranks = [fact_rank(knowledge, row) for row in rows]
    report["search"] = {
        "first_section_holds_fact": round(sum(r == 1 for r in ranks) / len(rows), 3),
        "first_five_hold_fact": round(sum(r is not None for r in ranks) / len(rows), 3),
    }
    for channel in CHANNELS:
        held = []
        for row in rows:
            request = TurnRequest(
                landlord=LANDLORD,
                channel=channel,
                conversation_id=f"{row['id']}-{channel}",
                message_id="question",
                text=row["question"],
            )
            result = asyncio.run(pipeline.answer(request))
            held.append(holds_fact(result.text, row["facts"]))
            if args.details:
                mark = "yes" if held[-1] else "NO "
                print(f"{channel:3} {mark} {row['id']} {row['question']}", file=sys.stderr)
        report[channel] = {"holds_fact": round(sum(held) / len(held), 3), "held": sum(held)}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
