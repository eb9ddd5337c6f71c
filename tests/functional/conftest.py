from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest

import admin_wiring
import chat_handler
import chat_wiring
import sms_wiring
from admin_handler import handler as admin_handler
from pierre_local.dynamodb_local import delete_tables
from pierre_local.resources import STACK_NAME, LocalResources, create_tables
from pierre_local.template import REGION, read_stack
from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.sessions import Session, SessionCodec
from pierre_rag.auth.users import UserStore
from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.embeddings import embedder_from_env
from pierre_rag.settings import SecretReader
from tests.fakes.cm_server import FakeCm
from tests.helpers import REPO_ROOT

FIXTURE_KB = REPO_ROOT / "tests" / "fixtures" / "pipeline_kb"
SESSION_SECRET = "functional-tests-session-secret"
LANDLORD = "exemple-hlm.fr"


@pytest.fixture(scope="session")
def fixture_datastore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("functional-kb") / "datastore.sqlite"
    build_datastore([FIXTURE_KB], out, embedder_from_env({}))
    return out


@pytest.fixture
def datastore(fixture_datastore: Path) -> Path:
    """The SMS tests' datastore: the session's fixture knowledge, built once."""
    return fixture_datastore


@pytest.fixture
def cm() -> Iterator[FakeCm]:
    """A fake CM.com server expecting the local product token."""
    with FakeCm(token="cm-token") as server:
        yield server


@pytest.fixture
def dynamodb(aws: None, dynamodb_local: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Fresh tables of template.yaml in the run's DynamoDB Local (moto keeps S3, SQS, SSM):
    DynamoDB enforces what moto does not (item size, transaction conflicts), and moto's
    server fails under concurrent transactions."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_local)
    client = boto3.client("dynamodb", region_name=REGION)
    delete_tables(client, f"{STACK_NAME}-")
    create_tables(LocalResources(read_stack(REPO_ROOT / "template.yaml")), client)
    return client


@pytest.fixture(autouse=True)
def wired_from_environment() -> Iterator[None]:
    """Every function's services built afresh for the test, from its environment (on first
    use, so a test may set a variable, store a parameter or swap a clock first), with a
    secret reader of its own: nothing built for one test reaches the next."""
    secrets = SecretReader()
    with (
        chat_wiring.landlords.override(lambda: chat_wiring.landlords_from_environment(secrets)),
        chat_wiring.services.override(lambda: chat_wiring.from_environment(secrets)),
        admin_wiring.services.override(lambda: admin_wiring.from_environment(secrets)),
        sms_wiring.webhook.override(lambda: sms_wiring.webhook_from_environment(secrets)),
        sms_wiring.worker.override(lambda: sms_wiring.worker_from_environment(secrets)),
    ):
        yield


@pytest.fixture
def runtime(dynamodb: Any, fixture_datastore: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The environment template.yaml gives the functions, against moto and the fixture KB."""
    names = {
        "CONVERSATIONS_TABLE": "ConversationsTable",
        "USERS_TABLE": "UsersTable",
        "IDEMPOTENCY_TABLE": "IdempotencyTable",
        "RATE_LIMITS_TABLE": "RateLimitsTable",
    }
    for variable, logical_id in names.items():
        monkeypatch.setenv(variable, LocalResources.physical_name(logical_id))
    monkeypatch.setenv("PIERRE_DATASTORE", str(fixture_datastore))
    monkeypatch.setenv("PIERRE_LANDLORDS_DIR", str(FIXTURE_KB))
    monkeypatch.setenv("PIERRE_LLM", "off")
    boto3.client("ssm").put_parameter(
        Name="/pierre/session-secret", Value=SESSION_SECRET, Type="SecureString"
    )
    return dynamodb


@pytest.fixture
def chat(runtime: Any, lambda_context: Any) -> Any:
    """The chat function called with Lambda events; its services are built afresh for the test
    (``wired_from_environment``)."""

    def call(event: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = chat_handler.handler(event, lambda_context)
        return result

    return call


@pytest.fixture
def admin_env(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """What template.yaml gives the admin (its tables, a session secret) against the test's
    tables; the landlords are the repository's. Returns the DynamoDB client."""
    boto3.client("ssm").put_parameter(
        Name="/pierre/session-secret", Value=SESSION_SECRET, Type="SecureString", Overwrite=True
    )
    for variable, logical_id in (
        ("USERS_TABLE", "UsersTable"),
        ("RATE_LIMITS_TABLE", "RateLimitsTable"),
        ("CONVERSATIONS_TABLE", "ConversationsTable"),
    ):
        monkeypatch.setenv(variable, LocalResources.physical_name(logical_id))
    return dynamodb


def invoke_admin(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The admin handler, like a Lambda container: a thread with its own event loop (the
    browser tests' Playwright keeps one running on the main thread when the whole suite
    runs)."""

    def run() -> dict[str, Any]:
        asyncio.set_event_loop(asyncio.new_event_loop())
        result: dict[str, Any] = admin_handler(event, context)
        return result

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def admin(admin_env: Any, lambda_context: Any) -> Any:
    """The admin function called with Lambda events; its services are built afresh for the
    test (``wired_from_environment``), reachable as ``admin_wiring.services()``."""

    def call(event: dict[str, Any]) -> dict[str, Any]:
        return invoke_admin(event, lambda_context)

    return call


def signed_in(
    client: Any,
    role: StaffRole = StaffRole.COLLABORATOR,
    email: str = f"ana@{LANDLORD}",
) -> tuple[str, Session]:
    """What the admin's login gives a staff member of the landlord who chose a password: an
    account in the users table and its session cookie."""
    users = UserStore(client, LocalResources.physical_name("UsersTable"))
    users.create(LANDLORD, email, role, "unused-hash", must_change_password=False)
    user = users.get(LANDLORD, email)
    assert user is not None
    return SessionCodec(SESSION_SECRET).issue(user)
