"""SMS channel benchmark: webhook ack latency, webhook import cost, SMS parts per answer.

    .venv/bin/python infra/bench_sms.py [--iterations 300] [--questions PATH] [--datastore PATH]
    .venv/bin/python infra/bench_sms.py --only-parts [--sample 20] [--part-price 0.05]

1. Ack latency: the real webhook handler called with the recorded event
   (tests/events/cm_webhook_inbound.json), warm, against moto in-process (DynamoDB
   idempotency record + SQS send), a new CM reference each call; then duplicates.
2. Import: ``python -X importtime`` of the webhook handler in a fresh interpreter, and
   whether numpy or the pipeline got imported.
3. Parts per answer: the pipeline in extractive mode (PIERRE_LLM=off) over the dev
   benchmark's questions, each answer split into SMS parts as sent by default (spelled as
   written: UCS-2 when a letter needs it) and as a landlord folding accents would send it
   (``sms.fold_accents: true``: GSM-7 when folding makes it so). One line per answer of the
   sample gives both, and the parts folding saves; ``--part-price`` turns parts into money.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for extra in (REPO, REPO / "infra", REPO / "functions" / "sms_webhook"):
    sys.path.insert(0, str(extra))

from pierre_rag.evaluation.measures import percentile  # noqa: E402

SHARED = Path(os.environ.get("PIERRE_SHARED_DIR", REPO.parent / "shared"))


def bench_ack(iterations: int) -> dict[str, float]:
    fake_credentials = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    os.environ.update(
        fake_credentials, AWS_DEFAULT_REGION="eu-west-3", POWERTOOLS_LOG_LEVEL="WARNING"
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import boto3
    from moto import mock_aws

    from pierre_local.resources import LocalResources, create_queues, create_tables
    from pierre_local.template import read_stack
    from tests.helpers import FakeLambdaContext
    from tests.unit.sms.support import LANDLORDS_DIR, SECRETS, cm_body, webhook_event

    with mock_aws():
        resources = LocalResources(read_stack(REPO / "template.yaml"))
        create_tables(resources, boto3.client("dynamodb"))
        create_queues(resources, boto3.client("sqs"), 30)
        for name, value in SECRETS.items():
            boto3.client("ssm").put_parameter(
                Name=f"/pierre/{name}", Value=value, Type="SecureString"
            )
        os.environ.update(
            IDEMPOTENCY_TABLE=resources.physical_name("IdempotencyTable"),
            CONVERSATIONS_TABLE=resources.physical_name("ConversationsTable"),
            SMS_QUEUE_URL=resources.queue_urls["SmsQueue"],
            PIERRE_LANDLORDS_DIR=str(LANDLORDS_DIR),
        )
        import sms_webhook_handler

        def call(reference: str) -> float:
            event = webhook_event(cm_body(reference=reference))
            started = time.perf_counter()
            response = sms_webhook_handler.handler(event, FakeLambdaContext())  # type: ignore[arg-type]
            elapsed = (time.perf_counter() - started) * 1000
            assert response["statusCode"] == 200, response
            return elapsed

        first = call("warm-up")  # cold: secrets, clients, routes
        for _ in range(20):
            call(str(uuid.uuid4()))
        fresh = [call(str(uuid.uuid4())) for _ in range(iterations)]
        duplicate = [call("warm-up") for _ in range(max(50, iterations // 5))]
    return {
        "first_call_ms": first,
        "new_p50_ms": statistics.median(fresh),
        "new_p95_ms": percentile(fresh, 0.95),
        "duplicate_p50_ms": statistics.median(duplicate),
        "duplicate_p95_ms": percentile(duplicate, 0.95),
        "iterations": float(iterations),
    }


def bench_import() -> dict[str, Any]:
    code = (
        "import sys, time; t = time.perf_counter(); import sms_webhook_handler; "
        "print(round((time.perf_counter() - t) * 1000, 1), 'numpy' in sys.modules, "
        "'pierre_rag.pipeline' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "functions" / "sms_webhook")])}
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        ).stdout.split()
        runs.append(out)
    return {
        "import_ms_median": statistics.median(float(r[0]) for r in runs),
        "numpy_imported": runs[0][1] == "True",
        "pipeline_imported": runs[0][2] == "True",
    }


def sms_answers(questions: Path, datastore: Path, sample: int | None) -> list[tuple[str, str]]:
    """(question id, SMS answer) of the pipeline in extractive mode, one question at a time."""
    os.environ["PIERRE_LLM"] = "off"
    from pierre_rag.knowledge.search import KnowledgeBase
    from pierre_rag.landlords import LandlordRegistry
    from pierre_rag.pipeline import Pipeline, TurnRequest

    registry = LandlordRegistry.from_directory(REPO / "knowledge")
    pipeline = Pipeline(registry, KnowledgeBase.open(datastore), None, lambda landlord: None)
    rows = [json.loads(line) for line in questions.read_text().splitlines() if line.strip()]
    answers = []
    loop = asyncio.new_event_loop()
    for row in rows[:sample]:  # one at a time, as the worker does
        result = loop.run_until_complete(
            pipeline.answer(
                TurnRequest(
                    landlord="pierre-habitat.fr",
                    channel="sms",
                    conversation_id="bench",
                    message_id=row["id"],
                    text=row["question"][:1000],
                )
            )
        )
        answers.append((row["id"], result.text))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
    return answers


def bench_parts(answers: list[tuple[str, str]], part_price: float | None) -> dict[str, Any]:
    """Parts per answer as sent by default (spelled) and with accents folded; prints one line
    per answer."""
    from pierre_rag.sms.splitting import split_sms

    parts: list[int] = []
    folded_parts: list[int] = []
    chars: list[int] = []
    encodings: collections.Counter[str] = collections.Counter()
    folded_encodings: collections.Counter[str] = collections.Counter()
    truncated = 0
    print(f"{'answer':<16} {'chars':>5}  {'spelled':>9}  {'folded':>9}  {'saved':>5}")
    for answer_id, text in answers:
        spelled, folded = split_sms(text), split_sms(text, fold_accents=True)
        parts.append(len(spelled.parts))
        folded_parts.append(len(folded.parts))
        chars.append(len(text))
        encodings[spelled.encoding.value] += 1
        folded_encodings[folded.encoding.value] += 1
        truncated += spelled.truncated
        print(
            f"{answer_id[:16]:<16} {len(text):>5}  "
            f"{spelled.encoding.value} {len(spelled.parts):>4}  "
            f"{folded.encoding.value} {len(folded.parts):>4}  "
            f"{len(spelled.parts) - len(folded.parts):>5}"
        )
    report: dict[str, Any] = {
        "answers": len(answers),
        "parts_histogram": dict(sorted(collections.Counter(parts).items())),
        "parts_mean": round(statistics.mean(parts), 2),
        "parts_median": statistics.median(parts),
        "parts_p90": percentile([float(p) for p in parts], 0.9),
        "answer_chars_median": statistics.median(chars),
        "encodings": dict(encodings),
        "truncated_at_8_parts": truncated,
        "parts_total": sum(parts),
        "folded": {
            "parts_histogram": dict(sorted(collections.Counter(folded_parts).items())),
            "parts_mean": round(statistics.mean(folded_parts), 2),
            "encodings": dict(folded_encodings),
            "parts_total": sum(folded_parts),
        },
        "parts_saved_by_folding": sum(parts) - sum(folded_parts),
    }
    if part_price is not None:
        report["cost_spelled"] = round(sum(parts) * part_price, 2)
        report["cost_folded"] = round(sum(folded_parts) * part_price, 2)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--questions", type=Path, default=SHARED / "bench" / "questions.dev.jsonl")
    parser.add_argument("--datastore", type=Path, default=REPO / "build" / "datastore.sqlite")
    parser.add_argument("--skip-parts", action="store_true")
    parser.add_argument("--only-parts", action="store_true", help="skip the ack and import runs")
    parser.add_argument("--sample", type=int, default=None, help="first N questions (default all)")
    parser.add_argument(
        "--part-price", type=float, default=None, help="price of one SMS part, to print costs"
    )
    args = parser.parse_args()
    report: dict[str, Any] = (
        {} if args.only_parts else {"import": bench_import(), "ack": bench_ack(args.iterations)}
    )
    if not args.skip_parts:
        if not args.questions.exists() or not args.datastore.exists():
            print("parts: questions or datastore missing (make datastore)", file=sys.stderr)
        else:
            answers = sms_answers(args.questions, args.datastore, args.sample)
            report["parts"] = bench_parts(answers, args.part_price)
    print(json.dumps(report, indent=2, default=lambda v: round(v, 1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
