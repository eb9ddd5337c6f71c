"""Benchmark: how long after an edit is published the chat answers from it, on the local stack.

    .venv/bin/python infra/bench_publishing_stack.py [--edits 5] [--check-s 30]

Starts the local stack as ``make dev`` does (DynamoDB Local, moto S3/SQS/SSM, the knowledge
bucket seeded from ``knowledge/``, the knowledge-build function fed by the FIFO queue), with
the pointer re-read every ``--check-s`` seconds (the functions' default: 30). Each edit
replaces the example landlord's agency-hours page with new hours through the admin's own
publish path (``publishing.authoring.Authoring``: S3 source, change, build request), then asks
the chat API the hours question until the answer carries the new hours. An edit comes at any
moment of the chat's check cycle: before each one the bench waits a random part of it (seeded),
as staff editing at their own pace would; the worst case is one interval plus the build.
Prints, per edit and as medians: seconds until the build is published, and until the chat
answers from it (issue #17's target: 60 s or less, p50). Figures only, no assertions.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import http.client
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "infra"), str(REPO / "layers" / "pierre_rag")]

from pierre_local.dynamodb_local import DynamoDBLocal  # noqa: E402
from pierre_rag.publishing.authoring import Authoring  # noqa: E402
from pierre_rag.publishing.dynamodb import DynamoPublishing  # noqa: E402
from pierre_rag.publishing.models import Build, BuildStatus  # noqa: E402
from pierre_rag.publishing.s3 import S3Sources  # noqa: E402
from pierre_rag.publishing.sqs import SqsBuildRequests  # noqa: E402
from tests.stack import RunningStack, running_stack, signed_json_headers  # noqa: E402

LANDLORD = "pierre-habitat.fr"
PAGE = "public/agences-et-horaires.md"
QUESTION = "Quels sont les horaires d'ouverture des agences ?"
ACTOR = f"bench@{LANDLORD}"
BUCKET = "pierre-local-knowledgebucket"
DATASTORE = REPO / "build" / "datastore.sqlite"
GIVE_UP_S = 240.0


def ensure_datastore() -> Path:
    if not DATASTORE.is_file():
        cli = REPO / ".venv" / "bin" / "pierre"
        command = [str(cli), "knowledge", "build", "--source", "knowledge", "--out", str(DATASTORE)]
        subprocess.run(command, cwd=REPO, check=True)
    return DATASTORE


def hours_page(minute: int) -> str:
    """The agency-hours page with opening hours that name ``minute`` (one per edit)."""
    return (
        "---\ntitle: Agences et horaires de Pierre Habitat\n---\n\n"
        "# Agences et horaires de Pierre Habitat\n\n"
        "## Quels sont les horaires d'ouverture ?\n\n"
        f"Les agences vous accueillent du lundi au vendredi, de 7 h {minute} à 11 h 15 "
        "et de 14 h à 16 h 30. Le siège est ouvert du lundi au vendredi, de 9 h à 17 h.\n"
    )


def answer(stack: RunningStack, attempt: int) -> str:
    """The chat's answer to the hours question in a new conversation, asked from a new
    loopback address each time (the local front counts requests by their peer), so the
    per-address rate limit never answers instead."""
    conversation = uuid.uuid4()
    body = {
        "landlord": LANDLORD,
        "context": "default",
        "message_id": str(uuid.uuid4()),
        "text": QUESTION,
    }
    port = int(stack.url.rsplit(":", 1)[1])
    source = (f"127.9.{attempt // 250}.{attempt % 250 + 1}", 0)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=source)
    try:
        data = json.dumps(body).encode()
        path = f"/api/conversations/{conversation}/messages"
        connection.request("POST", path, data, signed_json_headers(data))
        connection.getresponse().read()
    finally:
        connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", f"/api/conversations/{conversation}?landlord={LANDLORD}")
        turns = json.loads(connection.getresponse().read())["turns"]
    finally:
        connection.close()
    return " ".join(t["content"] for t in turns if t["role"] == "assistant")


def wait_published(repository: DynamoPublishing, build_id: str) -> Build:
    deadline = time.monotonic() + GIVE_UP_S
    while time.monotonic() < deadline:
        build = repository.build(LANDLORD, build_id)
        if build is not None and build.status not in (BuildStatus.QUEUED, BuildStatus.BUILDING):
            return build
        time.sleep(0.25)
    raise SystemExit(f"build {build_id} not finished after {GIVE_UP_S:.0f} s")


def one_edit(
    stack: RunningStack,
    authoring: Authoring,
    repository: DynamoPublishing,
    minute: int,
    attempts: list[int],
) -> tuple[float, float]:
    """(seconds until published, seconds until the chat answers with the new hours)."""
    started = time.monotonic()
    published = authoring.publish(LANDLORD, PAGE, hours_page(minute), ACTOR, replace=True)
    build = wait_published(repository, published.build.id)
    built_s = time.monotonic() - started
    if build.status is not BuildStatus.PUBLISHED:
        raise SystemExit(f"edit {minute}: build {build.status.value}: {build.error}")
    while time.monotonic() - started < GIVE_UP_S:
        attempts[0] += 1
        if f"7 h {minute}" in answer(stack, attempts[0]):
            return built_s, time.monotonic() - started
        time.sleep(0.5)
    raise SystemExit(f"edit {minute}: the chat never answered with it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--check-s", type=float, default=30.0)
    args = parser.parse_args()
    env = {
        "PIERRE_LLM": "off",
        "PIERRE_DATASTORE": str(ensure_datastore()),
        "PIERRE_KNOWLEDGE_CHECK_S": str(args.check_s),
    }
    with (
        tempfile.TemporaryDirectory() as state,
        DynamoDBLocal() as dynamodb,
        running_stack(
            Path(state), dynamodb=dynamodb.endpoint, env=env, seed_knowledge=True
        ) as stack,
    ):
        started = time.monotonic()
        repository = DynamoPublishing(stack.client("dynamodb"), stack.table("KnowledgeTable"))
        while not repository.builds(LANDLORD) or repository.builds(LANDLORD)[0].status in (
            BuildStatus.QUEUED,
            BuildStatus.BUILDING,
        ):
            if time.monotonic() - started > GIVE_UP_S:
                raise SystemExit("the seed build never finished")
            time.sleep(0.25)
        print(
            f"seed build: {repository.builds(LANDLORD)[0].status.value}"
            f" after {time.monotonic() - started:.1f} s"
        )
        queue = stack.client("sqs").get_queue_url(QueueName="pierre-local-KnowledgeBuildQueue.fifo")
        authoring = Authoring(
            S3Sources(stack.client("s3"), BUCKET),
            repository,
            SqsBuildRequests(stack.client("sqs"), queue["QueueUrl"]),
            time.time,
        )
        attempts = [1]
        answer(stack, attempts[0])  # the chat has read the pointer once, as in service
        built, answered = [], []
        phase = random.Random(17)  # noqa: S311 - when edits come, not a secret
        for edit in range(args.edits):
            time.sleep(phase.uniform(0, args.check_s))
            minute = 10 + edit
            built_s, answered_s = one_edit(stack, authoring, repository, minute, attempts)
            built.append(built_s)
            answered.append(answered_s)
            print(
                f"edit {edit + 1}: published after {built_s:.1f} s,"
                f" chat answers after {answered_s:.1f} s"
            )
        print(
            f"pointer re-read every {args.check_s:.0f} s, {args.edits} edits: published p50 "
            f"{statistics.median(built):.1f} s (max {max(built):.1f}); chat answers from the edit "
            f"p50 {statistics.median(answered):.1f} s (max {max(answered):.1f}); target p50 <= 60 s"
        )


if __name__ == "__main__":
    main()
