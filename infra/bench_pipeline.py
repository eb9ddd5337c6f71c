"""Benchmark the answer pipeline over a benchmark file (default: the shared dev questions).

Two runs on the same datastore, without DynamoDB (the store is not what is measured here: the
pipeline keeps its turns in the in-memory repository, each row's history stored first):

1. **Local heuristic gate** (no LLM): how many off_topic/abusive rows are refused, and how
   many answerable/other_language/follow_up rows are wrongly refused ("false refusals").
2. **With an LLM** served by the fake OpenAI-compatible server answering instantly: per turn,
   sequential LLM round trips, prompt/completion tokens, understanding-step output tokens,
   and non-LLM time (total minus time spent waiting for the provider), p50/p95.

The fake server's understanding replies are built from the question (never from the expected
answers), so retrieval and gating run on realistic inputs.

    .venv/bin/python infra/bench_pipeline.py [--knowledge DIR] [--questions FILE] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pierre_rag.conversations import Turn  # noqa: E402
from pierre_rag.evaluation.measures import percentile  # noqa: E402
from pierre_rag.evaluation.retrieval import BenchQuestion, ensure_datastore, load_questions  # noqa: E402
from pierre_rag.knowledge.cache import default_cache_dir  # noqa: E402
from pierre_rag.knowledge.embeddings import embedder_from_env  # noqa: E402
from pierre_rag.knowledge.followup import FollowUpModel, signals  # noqa: E402
from pierre_rag.knowledge.models import AccessLevel  # noqa: E402
from pierre_rag.knowledge.search import KnowledgeBase  # noqa: E402
from pierre_rag.landlords import ContextConfig, LandlordConfig, LandlordRegistry  # noqa: E402
from pierre_rag.llm.openai_compat import OpenAICompatibleClient  # noqa: E402
from pierre_rag.llm.port import LlmClient  # noqa: E402
from pierre_rag.pipeline import Outcome, Pipeline, TurnRequest  # noqa: E402
from pierre_rag.pipeline.language import guess_language  # noqa: E402
from pierre_rag.pipeline.models import AnswerResult  # noqa: E402
from pierre_rag.pipeline.moderation import Abuse, classify_abuse  # noqa: E402
from pierre_rag.storage.memory import MemoryConversations  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI, Reply  # noqa: E402

SHARED = Path(os.environ.get("PIERRE_SHARED_DIR", REPO.parent / "shared"))
LANDLORD = LandlordConfig(
    id="bench.example.fr",
    name="Bench",
    contexts={"default": ContextConfig(access=[AccessLevel.COMMUNITY])},
)
ANSWERABLE = ("answerable", "other_language", "follow_up")
REFUSE = ("off_topic", "abusive")


def _request(question: BenchQuestion, index: int) -> TurnRequest:
    return TurnRequest(
        landlord=LANDLORD.id,
        channel="web",
        conversation_id=f"bench-{index}",
        message_id=f"m-{index}",
        text=question.question,
    )


def _history_prefix(question: BenchQuestion) -> str:
    users = [turn.content for turn in question.history if turn.role == "user"]
    return users[-1] if users else ""


async def _answer(
    pipeline: Pipeline, store: MemoryConversations, question: BenchQuestion, index: int
) -> AnswerResult:
    """Answer one row, its earlier turns stored first in the pipeline's in-memory store."""
    request = _request(question, index)
    _store_history(store, request, question)
    return await pipeline.answer(request)


def _store_history(
    store: MemoryConversations, request: TurnRequest, question: BenchQuestion
) -> None:
    """The row's history as stored turns (a user message, then its answer), in order."""
    asked: Turn | None = None
    for at, earlier in enumerate(question.history):
        if earlier.role == "user":
            asked = Turn("user", earlier.content, f"{request.message_id}-h{at}", at)
            store.record_user_turn(
                request.conversation_id,
                asked,
                landlord=request.landlord,
                context=request.context,
                channel=request.channel,
                retention_days=LANDLORD.retention_days,
            )
        elif asked is not None:
            answer = Turn("assistant", earlier.content, asked.message_id, at)
            store.record_answer(request.conversation_id, answer, LANDLORD.retention_days)
        else:
            raise ValueError(f"{question.id}: an assistant turn answers no earlier user turn")


def gate_report(results: list[tuple[BenchQuestion, AnswerResult]]) -> dict[str, Any]:
    refused = {Outcome.OFF_TOPIC, Outcome.ABUSIVE}
    must_refuse = [(q, r) for q, r in results if q.kind in REFUSE and not q.expected]
    answerable = [(q, r) for q, r in results if q.kind in ANSWERABLE]
    correct = sum(r.outcome in refused for _, r in must_refuse)
    false_refusals = [q.id for q, r in answerable if r.outcome in refused]
    return {
        "refusal_rows": len(must_refuse),
        "refused_correctly": correct,
        "refusal_accuracy": round(correct / len(must_refuse), 3) if must_refuse else None,
        "answerable_rows": len(answerable),
        "false_refusals": len(false_refusals),
        "false_refusal_rate": round(len(false_refusals) / len(answerable), 3)
        if answerable
        else None,
        "false_refusal_ids": false_refusals,
        "nothing_found": sum(r.outcome is Outcome.NOTHING_FOUND for _, r in answerable),
    }


def fake_understanding(request: dict[str, Any]) -> Reply:
    """What a good model would answer, computed from the question only: a follow-up (as the
    local rule reads it) is rewritten with the previous user turn, a new topic is not."""
    payload = json.loads(request["messages"][1]["content"])
    text = payload["message"]
    previous = [t["content"] for t in payload["historique"] if t["role"] == "user"]
    follows = bool(previous) and FollowUpModel().probability(signals(text, 0, 0.0)) > 0.5
    query = f"{previous[-1]} {text}" if follows else text
    understood = {
        "language": guess_language(text),
        "in_scope": True,
        "abusive": classify_abuse(text) is Abuse.INSULT,
        "standalone_question": query,
        "search_queries": [query],
    }
    return Reply(json.dumps(understood, ensure_ascii=False))


def llm_report(results: list[AnswerResult]) -> dict[str, Any]:
    generated = [r for r in results if r.mode == "llm" or r.llm_round_trips]
    return {
        "turns": len(results),
        "round_trips": {
            "max": max((r.llm_round_trips for r in results), default=0),
            "p50": percentile([float(r.llm_round_trips) for r in results], 0.5),
        },
        "prompt_tokens": {
            "p50": percentile([float(r.prompt_tokens) for r in generated], 0.5),
            "p95": percentile([float(r.prompt_tokens) for r in generated], 0.95),
        },
        "completion_tokens": {
            "p50": percentile([float(r.completion_tokens) for r in generated], 0.5),
            "p95": percentile([float(r.completion_tokens) for r in generated], 0.95),
        },
        "non_llm_ms": {
            "p50": round(percentile([r.timings.non_llm_ms for r in results], 0.5), 1),
            "p95": round(percentile([r.timings.non_llm_ms for r in results], 0.95), 1),
        },
        "retrieval_ms_p50": round(percentile([r.timings.retrieval_ms for r in results], 0.5), 1),
    }


async def run(knowledge: Path, questions_file: Path) -> dict[str, Any]:
    embedder = embedder_from_env()
    datastore, _ = ensure_datastore(knowledge, embedder, default_cache_dir())
    kb = KnowledgeBase.open(datastore, embedder)
    registry = LandlordRegistry([LANDLORD])
    questions = load_questions(questions_file)
    kb.search("préchauffage du modèle", k=1)

    store = MemoryConversations()
    heuristic = Pipeline(registry, kb, store, llm_for=lambda landlord: None)
    heuristic_results = [
        (q, await _answer(heuristic, store, q, i)) for i, q in enumerate(questions)
    ]

    with FakeOpenAI() as fake:
        fake.responder = lambda request: (
            fake_understanding(request)
            if request.get("response_format")
            else Reply("Réponse de test fondée sur les sources [1].", completion_tokens=120)
        )
        client: LlmClient = OpenAICompatibleClient("gpt-4o-mini", "bench", fake.base_url)
        store = MemoryConversations()
        with_llm = Pipeline(registry, kb, store, llm_for=lambda landlord: client)
        llm_results = [await _answer(with_llm, store, q, i) for i, q in enumerate(questions)]
        understanding_tokens = [
            len(json.dumps(json.loads(fake_understanding(r).text), ensure_ascii=False)) // 4
            for r in fake.requests
            if r.get("response_format")
        ]
    return {
        "questions": str(questions_file),
        "heuristic_gate": gate_report(heuristic_results),
        "heuristic_non_llm_ms": {
            "p50": round(percentile([r.timings.total_ms for _, r in heuristic_results], 0.5), 1),
            "p95": round(percentile([r.timings.total_ms for _, r in heuristic_results], 0.95), 1),
        },
        "with_llm": llm_report(llm_results),
        "understanding_output_tokens_est_max": max(understanding_tokens, default=0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--knowledge", type=Path, default=SHARED / "corpus" / "pierre-knowledge")
    parser.add_argument("--questions", type=Path, default=SHARED / "bench" / "questions.dev.jsonl")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not args.knowledge.is_dir():
        print(f"knowledge folder not found: {args.knowledge}", file=sys.stderr)
        return 2
    report = asyncio.run(run(args.knowledge, args.questions))
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    gate = report["heuristic_gate"]
    llm = report["with_llm"]
    print(f"questions: {report['questions']}")
    print(
        f"heuristic gate: {gate['refused_correctly']}/{gate['refusal_rows']} refusals correct "
        f"({gate['refusal_accuracy']}), false refusals {gate['false_refusals']}/"
        f"{gate['answerable_rows']} ({gate['false_refusal_rate']}) {gate['false_refusal_ids']}"
    )
    print(
        f"heuristic turn (no LLM, no store): p50 {report['heuristic_non_llm_ms']['p50']} ms, "
        f"p95 {report['heuristic_non_llm_ms']['p95']} ms"
    )
    trips, prompt, completion = llm["round_trips"], llm["prompt_tokens"], llm["completion_tokens"]
    print(f"LLM round trips per turn: max {trips['max']}, p50 {trips['p50']}")
    print(
        f"prompt tokens p50/p95: {prompt['p50']}/{prompt['p95']}; "
        f"completion tokens p50/p95: {completion['p50']}/{completion['p95']}"
    )
    print(
        f"non-LLM time per turn p50/p95: {llm['non_llm_ms']['p50']}/{llm['non_llm_ms']['p95']} ms "
        f"(retrieval p50 {llm['retrieval_ms_p50']} ms)"
    )
    print(
        f"understanding output tokens (est.) max: {report['understanding_output_tokens_est_max']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
