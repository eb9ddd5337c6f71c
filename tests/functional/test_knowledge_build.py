"""The knowledge-build handler with a recorded FIFO SQS event: the builder over in-memory
stores (the wiring's ``builder`` overridden) and a community base built with the hash
embedder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import knowledge_build_handler
from knowledge_build_wiring import build_builder, builder, operations
from pierre_local.template import read_stack
from pierre_rag.metrics import MemoryRecorder, Metric, OperationsMetrics
from pierre_rag.publishing.models import BuildStatus
from pierre_rag.settings import Settings
from tests.helpers import REPO_ROOT, load_event
from tests.unit.knowledge.fakes import HashEmbedder
from tests.unit.publishing.build_support import HOURS, Publishing, build_base, publishing
from tests.unit.sms.support import CapturedLogs

EVENT = load_event("sqs_knowledge_build")
BODY = json.loads(EVENT["Records"][0]["body"])
LANDLORD, BUILD_ID = BODY["landlord"], BODY["build_id"]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_base(tmp_path_factory.mktemp("base"), HashEmbedder())


@pytest.fixture
def stores(tmp_path: Path, base: Path) -> Iterator[Publishing]:
    """The function's builder, wired over in-memory stores."""
    pub = publishing(tmp_path, base)
    settings = Settings(datastore_path=base)

    def wired() -> Any:
        wired = build_builder(settings, pub.sources, pub.artifacts, pub.repository, pub.embedder)
        wired.work_dir, wired.clock, wired.timer = tmp_path / "work", pub.clock, pub.clock
        return wired

    with builder.override(wired):
        yield pub


@pytest.fixture
def recorder() -> Iterator[MemoryRecorder]:
    """The operations metrics the handler reports, in memory."""
    recorded = MemoryRecorder()
    with operations.override(lambda: OperationsMetrics(recorded, lambda: {LANDLORD}, usd_to_eur=1)):
        yield recorded


def _event(body: str | None = None, receive_count: int = 1) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(json.dumps(EVENT))
    if body is not None:
        event["Records"][0]["body"] = body
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = str(receive_count)
    return event


def _failed(response: Any) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def test_a_build_request_publishes_the_landlords_datastore(stores, recorder, lambda_context):
    stores.edit("public/horaires.md", HOURS)

    with CapturedLogs(knowledge_build_handler.logger) as logs:
        response = knowledge_build_handler.handler(_event(), lambda_context)

    build = stores.repository.build(LANDLORD, BUILD_ID)
    assert _failed(response) == []
    assert build is not None and build.status is BuildStatus.PUBLISHED
    assert stores.repository.pointer(LANDLORD).version == build.version
    lines = [json.loads(line) for line in logs.text.splitlines()]
    steps = [line["step"] for line in lines if "step" in line]
    assert steps[0] == "snapshot" and "build datastore" in steps and "upload" in steps
    assert all(line["build_id"] == BUILD_ID for line in lines if "step" in line)
    assert lines[-1]["message"] == "knowledge build done"
    assert recorder.records == [(LANDLORD, Metric.BUILDS_PUBLISHED, 1)]


def test_a_request_for_a_locked_landlord_is_reported_for_retry(stores, lambda_context):
    stores.repository.claim_build(LANDLORD, "otherbuild", int(stores.clock.now * 1000), 60_000)

    response = knowledge_build_handler.handler(_event(), lambda_context)

    assert _failed(response) == [EVENT["Records"][0]["messageId"]]
    assert stores.repository.build(LANDLORD, BUILD_ID) is None


def test_an_unexpected_error_is_reported_for_retry_and_recorded(stores, lambda_context):
    def unreachable(landlord: str, file: Path) -> bool:
        raise ConnectionError("S3 unreachable")

    stores.artifacts.download_cache = unreachable

    with CapturedLogs(knowledge_build_handler.logger) as logs:
        response = knowledge_build_handler.handler(_event(), lambda_context)

    build = stores.repository.build(LANDLORD, BUILD_ID)
    assert _failed(response) == [EVENT["Records"][0]["messageId"]]
    assert build is not None and build.status is BuildStatus.FAILED
    assert "dead-letter queue" in logs.text and "ConnectionError" in logs.text


@pytest.mark.parametrize(("receive_count", "counted"), [(1, 0), (2, 0), (3, 1)])
def test_a_build_failing_its_last_delivery_counts_a_failure_and_a_dead_letter_move(
    stores, recorder, lambda_context, receive_count, counted
):
    # Given a build that fails unexpectedly (SQS moves it after 3 deliveries by default)
    def unreachable(landlord: str, file: Path) -> bool:
        raise ConnectionError("S3 unreachable")

    stores.artifacts.download_cache = unreachable

    # When it fails at this delivery
    knowledge_build_handler.handler(_event(receive_count=receive_count), lambda_context)

    # Then only its last delivery counts a failed build and a dead-letter move
    assert recorder.total(Metric.BUILDS_FAILED, LANDLORD) == counted
    assert recorder.total(Metric.BUILD_DEAD_LETTER_MOVES, LANDLORD) == counted


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({**BODY, "build_id": "UPPER-CASE"}),
        json.dumps({**BODY, "landlord": "../../etc"}),
        json.dumps({"landlord": LANDLORD}),
    ],
)
def test_a_body_that_is_no_build_request_is_dropped_not_retried(stores, lambda_context, body):
    with CapturedLogs(knowledge_build_handler.logger) as logs:
        response = knowledge_build_handler.handler(_event(body), lambda_context)

    assert _failed(response) == []
    assert "not a knowledge build request" in logs.text
    assert stores.repository.builds(LANDLORD) == []


def test_the_template_gives_the_build_function_one_request_at_a_time():
    spec = read_stack(REPO_ROOT / "template.yaml").functions["KnowledgeBuildFunction"]
    template = (REPO_ROOT / "template.yaml").read_text(encoding="utf-8")
    build_section = template[template.index("  KnowledgeBuildFunction:") :]

    assert spec.sqs_queues == ("KnowledgeBuildQueue",)
    assert "BatchSize: 1\n" in build_section.split("Logs:")[0]
