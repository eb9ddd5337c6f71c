from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from pierre_local.dynamodb_local import DynamoDBLocal
from pierre_local.resources import LocalResources, create_tables
from pierre_local.template import REGION, read_stack
from tests.helpers import REPO_ROOT, FakeLambdaContext

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# moto gives each test a fresh default boto3 session, which parses the service's model again
# for every client (a fifth of an admin test's time); the moto clients of the fixtures below
# come from this one session instead, which parses each model once.
MOTO_SESSION = boto3.session.Session()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything imported by collection lives for the whole run: moved out of the collector's
    reach, it is not traversed again by every full collection (they took a third of the
    admin tests' time)."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def main_thread_event_loop() -> Iterator[None]:
    """Lambda's main thread has an event loop (Mangum uses it); asyncio.run() in an earlier
    test leaves none, and a loop closed by a test must not leak into the next."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto in-process, with fake credentials so nothing can reach a real account."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[str]:
    """AWS's DynamoDB Local, one JVM per test worker (started only if a test asks for it);
    yields its endpoint. Tests isolate themselves by fresh tables or their own prefix."""
    with DynamoDBLocal() as server:
        yield server.endpoint


@pytest.fixture
def dynamodb(aws: None) -> Any:
    """A DynamoDB client with every table of template.yaml created (moto; functional tests
    override it with DynamoDB Local)."""
    client = MOTO_SESSION.client("dynamodb", region_name=REGION)
    create_tables(LocalResources(read_stack(REPO_ROOT / "template.yaml")), client)
    return client


CONVERSATIONS_TABLE = LocalResources.physical_name("ConversationsTable")
