"""`pierre-local` (what `make dev` runs), started as a user would, spoken to over HTTP and boto3."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from pierre_local.stack import free_port
from pierre_rag.auth.bootstrap import bootstrap_secret_name
from tests.stack import RunningStack, launch, running_stack

MAX_RECEIVES = 2


@pytest.fixture(scope="module")
def stack(tmp_path_factory, dynamodb_local: str) -> Iterator[RunningStack]:
    with running_stack(
        tmp_path_factory.mktemp("state"),
        "--visibility-timeout",
        "1",
        "--parameter-overrides",
        f"SmsMaxReceiveCount={MAX_RECEIVES}",
        dynamodb=dynamodb_local,
    ) as running:
        yield running


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.parametrize(
    ("path", "function"),
    [("/api/health", "chat"), ("/admin/health", "admin"), ("/sms/health", "sms_webhook")],
)
def test_health_routes_are_served_through_the_lambda_event_path(stack, path, function):
    status, _, body = _get(stack.url + path)

    assert status == 200
    assert json.loads(body)["function"] == function


def test_static_assets_are_served_from_web(stack):
    status, headers, body = _get(stack.url + "/")

    assert status == 200
    assert headers["content-type"].startswith("text/html")
    assert b"PIERRE" in body


def test_tables_are_created_from_the_template_keys(stack):
    dynamodb = stack.client("dynamodb")

    table = dynamodb.describe_table(TableName=stack.table("ConversationsTable"))["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=stack.table("ConversationsTable"))

    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    assert {index["IndexName"] for index in table["GlobalSecondaryIndexes"]} == {
        "by-tenant-day",
        "by-sms-sender",
    }
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"


def test_secrets_are_in_ssm_as_secure_strings(stack):
    parameter = stack.client("ssm").get_parameter(
        Name="/pierre/session-secret", WithDecryption=True
    )

    assert parameter["Parameter"]["Type"] == "SecureString"
    assert len(parameter["Parameter"]["Value"]) >= 24


def test_each_landlord_has_its_own_bootstrap_secret_in_ssm(stack):
    name = bootstrap_secret_name("pierre-habitat.fr")

    parameter = stack.client("ssm").get_parameter(Name=f"/pierre/{name}", WithDecryption=True)

    assert parameter["Parameter"]["Type"] == "SecureString"
    assert parameter["Parameter"]["Value"] == stack.secrets[name]
    assert "admin-bootstrap-password" not in stack.secrets


def test_a_message_the_worker_cannot_answer_ends_in_the_dead_letter_queue(stack):
    # Given the worker fails every message (the answering step is not built yet)
    sqs = stack.client("sqs")
    queue = sqs.get_queue_url(QueueName="pierre-local-SmsQueue")["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName="pierre-local-SmsDeadLetterQueue")["QueueUrl"]

    # When an SMS is queued
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"reference": "poison"}))

    # Then after MAX_RECEIVES failed deliveries it is moved to the DLQ, not lost
    deadline = time.monotonic() + 30
    moved: list[dict[str, str]] = []
    while time.monotonic() < deadline and not moved:
        moved = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages", [])
    assert moved, "the poison message never reached the dead-letter queue"
    assert json.loads(moved[0]["Body"]) == {"reference": "poison"}


def test_a_busy_port_is_a_clear_error(stack):
    port = int(stack.url.rsplit(":", 1)[1])

    second = launch(port, free_port(), stack.state_dir)
    _, stderr = second.communicate(timeout=60)

    assert second.returncode == 1
    assert f"port {port}" in stderr and "already in use" in stderr


def test_a_test_stack_has_a_versioned_knowledge_bucket_left_empty(stack):
    # Given a stack started the way tests start it (no seeding unless asked)
    s3 = stack.client("s3")
    bucket = "pierre-local-knowledgebucket"

    # then its knowledge bucket is versioned as the template says, and holds nothing
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
