"""Benchmark the chat function through the Lambda-event path (HTTP API v2 event → Mangum).

- **Cold init**: a fresh Python process imports ``chat_handler``, builds its services
  (landlords, datastore, embedding model, AWS clients) and serves one health request; the time
  from process start to that response is reported (median of ``--cold-runs`` processes).
- **Turn**: warm, in this process, a full extractive turn (``POST …/messages``: history,
  idempotent write, understanding, retrieval, answer, persistence) — p50/p95 over the dev
  benchmark questions, each in a new conversation.

DynamoDB is DynamoDB Local and SSM moto's server, on loopback, with tables created from
template.yaml.

    .venv/bin/python infra/bench_chat.py [--datastore build/datastore.sqlite] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
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
SHARED = Path(os.environ.get("PIERRE_SHARED_DIR", REPO.parent / "shared"))
sys.path[:0] = [str(REPO), str(REPO / "infra"), str(REPO / "functions" / "chat")]

from pierre_rag.evaluation.measures import percentile  # noqa: E402

COLD_PROBE = """
import time
started = time.perf_counter()
from pierre_rag.cold_start import collector_paused

with collector_paused():  # as in Lambda, where chat_handler builds the services in its init
    import chat_handler
    chat_handler.services()
from tests.helpers import FakeLambdaContext, load_event
response = chat_handler.handler(load_event("chat_health"), FakeLambdaContext())
assert response["statusCode"] == 200, response
print(f"{(time.perf_counter() - started) * 1000:.1f}")
"""


def start_aws() -> tuple[Any, Any, dict[str, str]]:
    """DynamoDB Local, and moto's server (S3, SQS, SSM) in its own process (in-process it
    would compete for our GIL)."""
    import boto3

    from pierre_local.dynamodb_local import DynamoDBLocal
    from pierre_local.resources import LocalResources, create_tables, fixed_secrets, put_secrets
    from pierre_local.stack import free_port
    from pierre_local.template import REGION, read_stack

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    dynamodb_local = DynamoDBLocal()
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_local.start(),
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": REGION,
        "CONVERSATIONS_TABLE": LocalResources.physical_name("ConversationsTable"),
        "RATE_LIMITS_TABLE": LocalResources.physical_name("RateLimitsTable"),
        "USERS_TABLE": LocalResources.physical_name("UsersTable"),
        "IDEMPOTENCY_TABLE": LocalResources.physical_name("IdempotencyTable"),
        "PIERRE_LLM": "off",
        "OPENBLAS_NUM_THREADS": "1",
    }
    os.environ.update(env)
    deadline = time.monotonic() + 20
    while True:
        try:
            dynamodb = boto3.client("dynamodb")
            dynamodb.list_tables()
            break
        except Exception:
            if time.monotonic() > deadline:
                server.kill()
                dynamodb_local.stop()
                raise
            time.sleep(0.2)
    create_tables(LocalResources(read_stack(REPO / "template.yaml")), dynamodb)
    put_secrets(boto3.client("ssm"), "/pierre", fixed_secrets("bench"))  # as deployed, origin's too
    return server, dynamodb_local, env


def cold_init(
    runs: int, env: dict[str, str], python: str = sys.executable, layer: Path | None = None
) -> list[float]:
    """``layer``: a built layer directory (``make layer``) imported instead of the venv, as
    Lambda's /opt would be; run it with the runtime's interpreter (``--python python3.12``)."""
    paths = [str(REPO / "functions" / "chat"), str(REPO)]
    if layer is not None:
        paths = [str(layer / "python"), *paths]
        env = {
            **env,
            "PIERRE_DATASTORE": str(layer / "datastore.sqlite"),
            "PIERRE_LANDLORDS_DIR": str(layer / "landlords"),
            "PIERRE_MODELS_DIR": str(layer / "models"),  # what Lambda finds at /opt/models
        }
    child_env = {
        **os.environ,
        **env,
        "AWS_LAMBDA_FUNCTION_NAME": "bench-chat",
        "PYTHONPATH": os.pathsep.join([*paths, os.environ.get("PIERRE_RUNTIME_PATH", "")]),
    }
    timings = []
    for _ in range(runs):
        output = subprocess.run(
            [python, "-c", COLD_PROBE],
            env=child_env,
            capture_output=True,
            text=True,
            check=True,
        )
        timings.append(float(output.stdout.strip().splitlines()[-1]))
    return timings


class AwsTimer:
    """Time spent waiting for botocore calls (DynamoDB Local, moto), as wall-clock time: calls
    that overlap (the history read runs beside the user-turn write) count once."""

    def __init__(self) -> None:
        import threading

        import botocore.client

        self._intervals: list[tuple[float, float]] = []
        self._lock = threading.Lock()
        # A private method the stubs do not declare: patched through an untyped name.
        base: Any = botocore.client.BaseClient
        original = base._make_api_call
        timer = self

        def timed(client: Any, operation: str, params: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(client, operation, params)
            finally:
                with timer._lock:
                    timer._intervals.append((started, time.perf_counter()))

        base._make_api_call = timed

    @property
    def total_ms(self) -> float:
        with self._lock:
            intervals = sorted(self._intervals)
        total, reach = 0.0, float("-inf")
        for start, end in intervals:
            if end > reach:
                total += end - max(start, reach)
                reach = end
        return total * 1000


def warm_turns(questions: list[str], aws: AwsTimer | None = None) -> list[tuple[float, float]]:
    """(total ms, ms spent waiting for DynamoDB) per turn."""
    import chat_handler
    from tests.helpers import FakeLambdaContext, load_event

    asyncio.set_event_loop(asyncio.new_event_loop())
    context = FakeLambdaContext()
    template = load_event("chat_post_message")
    timings: list[tuple[float, float]] = []
    for index, text in enumerate(questions):
        event = json.loads(json.dumps(template))
        conversation = str(uuid.uuid4())
        path = f"/api/conversations/{conversation}/messages"
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["requestContext"]["http"]["sourceIp"] = f"198.51.100.{index % 250}"
        event["body"] = json.dumps(
            {"landlord": "pierre-habitat.fr", "message_id": str(uuid.uuid4()), "text": text}
        )
        aws_before = aws.total_ms if aws else 0.0
        started = time.perf_counter()
        response = chat_handler.handler(event, context)
        total = (time.perf_counter() - started) * 1000
        timings.append((total, (aws.total_ms if aws else 0.0) - aws_before))
        if response["statusCode"] != 200:
            raise RuntimeError(f"turn failed: {response['statusCode']} {response['body'][:200]}")
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datastore", type=Path, default=REPO / "build" / "datastore.sqlite")
    parser.add_argument("--questions", type=Path, default=SHARED / "bench" / "questions.dev.jsonl")
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument(
        "--layer",
        type=Path,
        help="measure cold init on a built layer (e.g. build/layer/x86_64) instead of the venv; "
        "boto3 (Lambda's runtime) comes from PIERRE_RUNTIME_PATH",
    )
    parser.add_argument("--python", default=sys.executable, help="interpreter for cold init")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.datastore.is_file():
        print(f"no datastore at {args.datastore}: run `make datastore` first", file=sys.stderr)
        return 2
    os.environ["PIERRE_DATASTORE"] = str(args.datastore)
    os.environ.setdefault("PIERRE_LANDLORDS_DIR", str(REPO / "knowledge"))
    questions = [
        json.loads(line)["question"]
        for line in args.questions.read_text().splitlines()
        if line.strip()
    ]
    server, dynamodb_local, env = start_aws()
    try:
        env["PIERRE_DATASTORE"] = str(args.datastore)
        env["PIERRE_LANDLORDS_DIR"] = os.environ["PIERRE_LANDLORDS_DIR"]
        cold = cold_init(args.cold_runs, env, args.python, args.layer)
        aws = AwsTimer()
        warm_turns(questions[:3], aws)  # warm-up: first request pays lazy imports
        measured = warm_turns(questions, aws)
        turns = [total for total, _ in measured]
        own = [total - waiting for total, waiting in measured]
    finally:
        server.terminate()
        server.wait(timeout=10)
        dynamodb_local.stop()
    cold_ms = {"median": round(statistics.median(cold), 1), "runs": [round(c) for c in cold]}
    turn_ms = {"p50": round(percentile(turns, 0.5), 1), "p95": round(percentile(turns, 0.95), 1)}
    own_ms = {"p50": round(percentile(own, 0.5), 1), "p95": round(percentile(own, 0.95), 1)}
    report = {
        "cold_init_ms": {
            "median": round(statistics.median(cold), 1),
            "runs": [round(c) for c in cold],
        },
        "turn_ms": {
            "p50": round(percentile(turns, 0.5), 1),
            "p95": round(percentile(turns, 0.95), 1),
            "turns": len(turns),
        },
        "turn_without_dynamodb_wait_ms": own_ms,
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"chat cold init (imports + datastore + embedder + first request): "
            f"median {cold_ms['median']} ms over {len(cold)} processes {cold_ms['runs']}"
        )
        print(
            f"extractive turn through the Lambda-event path: p50 {turn_ms['p50']} ms, "
            f"p95 {turn_ms['p95']} ms over {len(turns)} questions"
        )
        print(
            f"the same turns without the time spent waiting for AWS calls: "
            f"p50 {own_ms['p50']} ms, p95 {own_ms['p95']} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
