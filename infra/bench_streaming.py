"""Benchmark: time to the first answer words at the client after the model's first delta, on
the local stack, the streamed chat turn beside the buffered one (issue #18).

    .venv/bin/python infra/bench_streaming.py [--turns 12] [--deltas 40] [--interval-ms 50]

Starts the local stack twice as ``make dev`` does (DynamoDB Local, moto), the fixture
landlord answering through a fake OpenAI-compatible model of this process that streams
``--deltas`` pieces of text ``--interval-ms`` apart: once streaming (CloudFront's streamed path
served as the Function URL serves it, ``POST /api/conversations/{id}/messages``), once with
``--no-streaming`` (the same path through the HTTP API's Lambda event, which Mangum answers
whole). Each turn is posted as the chat page posts it and its server-sent events read as they
arrive; the figure is the time from the fake model sending its first delta to the client
reading the first ``delta`` event (both clocks of this process). Target for the streamed turn:
150 ms or less (p50). Prints one JSON object; figures only, no assertions.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import http.client
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "infra"), str(REPO / "layers" / "pierre_rag")]

from pierre_local.dynamodb_local import DynamoDBLocal  # noqa: E402
from pierre_rag.evaluation.measures import percentile  # noqa: E402
from pierre_rag.knowledge.build import build_datastore  # noqa: E402
from pierre_rag.knowledge.embeddings import UseEmbedder  # noqa: E402
from tests.fakes.openai_server import FakeOpenAI, Reply, TokenGate, understanding_then  # noqa: E402
from tests.stack import (  # noqa: E402
    RunningStack,
    landlords_answering_with,
    running_stack,
    signed_json_headers,
)

FIXTURE_KB = REPO / "tests" / "fixtures" / "pipeline_kb"
LANDLORD = "exemple-hlm.fr"
QUESTION = "Comment donner mon préavis ?"
TARGET_MS = 150.0


def first_delta_at(stack: RunningStack) -> tuple[float, int]:
    """Post one turn as the chat page does; when (perf_counter) its first delta event was
    read, and the number of delta events."""
    body = json.dumps(
        {
            "landlord": LANDLORD,
            "context": "default",
            "message_id": str(uuid.uuid4()),
            "text": QUESTION,
        }
    ).encode()
    headers = {**signed_json_headers(body), "accept": "text/event-stream"}
    connection = http.client.HTTPConnection(stack.url.removeprefix("http://"), timeout=120)
    connection.request("POST", f"/api/conversations/{uuid.uuid4()}/messages", body, headers)
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"the turn failed: {response.status} {response.read()[:200]!r}")
    first, deltas = 0.0, 0
    while line := response.readline():
        if line.startswith(b"event: delta"):
            deltas += 1
            first = first or time.perf_counter()
        if line.startswith((b"event: done", b"event: error")):
            break
    connection.close()
    return first, deltas


def measure(stack: RunningStack, llm: FakeOpenAI, turns: int, reply: dict[str, Any]) -> list[float]:
    """Milliseconds from the model's first delta to the client's first delta event, per turn
    (after one turn to warm the functions up)."""
    figures: list[float] = []
    for turn in range(turns + 1):
        gate = TokenGate()
        gate.release.set()  # nothing held: the model writes at its pace
        llm.responder = understanding_then(Reply(gate=gate, **reply))
        read_at, deltas = first_delta_at(stack)
        if not gate.sent_at or not deltas:
            raise RuntimeError("the turn was not answered by the model")
        if turn:
            figures.append((read_at - gate.sent_at[0]) * 1000)
    return figures


def summary(figures: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(figures, 0.5), 1),
        "p95_ms": round(percentile(figures, 0.95), 1),
        "min_ms": round(min(figures), 1),
        "max_ms": round(max(figures), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=12, help="measured turns per route (≤ 25)")
    parser.add_argument("--deltas", type=int, default=40, help="pieces of text per answer")
    parser.add_argument("--interval-ms", type=float, default=50.0, help="pause between pieces")
    args = parser.parse_args()
    text = " ".join(f"mot{n}" for n in range(args.deltas)) + " [1]."
    reply = {
        "text": text,
        "chunk_size": max(1, len(text) // args.deltas),
        "interval_s": args.interval_ms / 1000,
    }
    report: dict[str, Any] = {
        "bench": "streaming",
        "turns": args.turns,
        "deltas": args.deltas,
        "interval_ms": args.interval_ms,
        "generation_ms": round(args.deltas * args.interval_ms, 1),
        "target_ms": TARGET_MS,
    }
    with tempfile.TemporaryDirectory() as scratch, DynamoDBLocal() as dynamodb, FakeOpenAI() as llm:
        root = Path(scratch)
        datastore = root / "datastore.sqlite"
        build_datastore([FIXTURE_KB], datastore, UseEmbedder(threads=1))
        landlords = landlords_answering_with(FIXTURE_KB, LANDLORD, llm.base_url, root / "landlords")
        env = {"PIERRE_DATASTORE": str(datastore), "PIERRE_LANDLORDS_DIR": str(landlords)}
        for route, extra in (("streamed", ()), ("buffered", ("--no-streaming",))):
            state = root / f"state-{route}"
            with running_stack(state, *extra, dynamodb=dynamodb.endpoint, env=env) as stack:
                report[route] = summary(measure(stack, llm, args.turns, reply))
    report["streamed_within_target"] = report["streamed"]["p50_ms"] <= TARGET_MS
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
