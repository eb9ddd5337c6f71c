from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import chat_handler
from chat_api.services import chat_services, served_landlords
from pierre_local.dynamodb_local import delete_tables
from pierre_local.resources import STACK_NAME, LocalResources, create_tables
from pierre_local.template import REGION, read_stack
from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.sessions import Session, SessionCodec
from pierre_rag.auth.users import UserStore
from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.embeddings import embedder_from_env
from pierre_rag.knowledge.search import knowledge_base
from pierre_rag.settings import read_secret
from pierre_rag.tenants import tenant_registry
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
def dynamodb(aws: None, dynamodb_local: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Fresh tables of template.yaml in the run's DynamoDB Local (moto keeps S3, SQS, SSM):
    DynamoDB enforces what moto does not (item size, transaction conflicts), and moto's
    server fails under concurrent transactions."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_local)
    client = boto3.client("dynamodb", region_name=REGION)
    delete_tables(client, f"{STACK_NAME}-")
    create_tables(LocalResources(read_stack(REPO_ROOT / "template.yaml")), client)
    return client


def _clear_caches() -> None:
    for cached in (knowledge_base, tenant_registry, read_secret, served_landlords):
        cached.cache_clear()


@pytest.fixture
def runtime(
    dynamodb: Any, fixture_datastore: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
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
    monkeypatch.setenv("PIERRE_TENANTS_DIR", str(FIXTURE_KB))
    monkeypatch.setenv("PIERRE_LLM", "off")
    boto3.client("ssm").put_parameter(
        Name="/pierre/session-secret", Value=SESSION_SECRET, Type="SecureString"
    )
    _clear_caches()
    yield dynamodb
    _clear_caches()


@pytest.fixture
def chat(runtime: Any, lambda_context: Any) -> Iterator[Any]:
    """The chat function called with Lambda events; its services are built afresh for the test
    (on first use, so a test may store a parameter or set a clock first)."""
    chat_services.cache_clear()

    def call(event: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = chat_handler.handler(event, lambda_context)
        return result

    yield call
    chat_services.cache_clear()


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
