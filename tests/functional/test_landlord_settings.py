"""Given the admin, chat and SMS worker functions wired over one knowledge table (in memory,
and the template's table in DynamoDB Local), when an administrator saves the landlord's
settings in the admin (real handler, recorded events), then the chat's page configuration and
its widget origin check serve them once the check interval has passed, and the SMS worker
greets with them; a return to the file serves the file again."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

import admin_wiring
import chat_handler
import chat_wiring
import sms_webhook_handler
import sms_wiring
import sms_worker_handler
from pierre_local.resources import LocalResources
from pierre_rag.auth.access import StaffRole
from pierre_rag.landlord_overrides import CHECK_EVERY_S
from pierre_rag.landlord_settings import LandlordSettingsEdit
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.publishing.dynamodb import DynamoPublishing
from pierre_rag.publishing.memory import MemoryArtifacts, MemoryPublishing
from pierre_rag.publishing.models import ChangeAction
from pierre_rag.publishing.ports import PublishingRepository
from pierre_rag.publishing.serving import ServingStores
from pierre_rag.settings import SecretReader, Settings, SmsSettings
from tests.functional.conftest import FIXTURE_KB, LANDLORD, invoke_admin, signed_in
from tests.helpers import admin_post_event, load_event
from tests.unit.sms.support import cm_body, queued_bodies, setup_aws, sqs_event, webhook_event

NEW_ORIGIN = "https://www.exemple-hlm.fr"
GREETING = "Bienvenue chez Exemple HLM : que puis-je faire pour vous ?"


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "dynamodb"])
def publishing(request: pytest.FixtureRequest) -> PublishingRepository:
    """The knowledge table: in memory, and the template's table in DynamoDB Local."""
    if request.param == "memory":
        return MemoryPublishing()
    client = request.getfixturevalue("dynamodb")
    return DynamoPublishing(client, LocalResources.physical_name("KnowledgeTable"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def functions(
    runtime: Any,
    admin_env: Any,
    publishing: PublishingRepository,
    clock: Clock,
    lambda_context: Any,
) -> Iterator[tuple[Any, Any]]:
    """The chat and admin handlers, built by their wiring modules over ``publishing``."""
    secrets = SecretReader()

    def admin_services() -> Any:
        settings = Settings.from_env()
        return admin_wiring.build_services(
            settings,
            secrets,
            boto3.client("dynamodb"),
            boto3.client("sqs"),
            ServingStores(publishing, MemoryArtifacts()),
        )

    with (
        chat_wiring.landlords.override(
            lambda: chat_wiring.served_landlords(Settings.from_env(), secrets, publishing, clock)
        ),
        admin_wiring.services.override(admin_services),
    ):
        yield (
            lambda event: chat_handler.handler(event, lambda_context),
            lambda event: invoke_admin(event, lambda_context),
        )


def _settings_fields(csrf: str, **changes: str) -> dict[str, str]:
    """The settings form as the fixture landlord's page fills it (nothing stored yet), with
    ``changes``."""
    fields = {
        "csrf": csrf,
        "revision": "0",
        "primary_color": "#0b5fa5",
        "logo_url": "",
        "allowed_origins": "http://localhost:3000",
        "default.greeting": "Bonjour, je suis Pierre. Posez-moi votre question.",
        "default.examples": "Comment donner mon préavis ?",
        "default.handoff_label": "Agence Exemple HLM",
        "default.handoff_phone": "01 99 00 00 00",
        "staff.greeting": "Bonjour ! Comment puis-je vous aider ?",
    }
    return {**fields, **changes}


def _config(chat: Any) -> dict[str, Any]:
    response: dict[str, Any] = chat(load_event("chat_get_config"))
    return response


def _widget_message(chat: Any, origin: str) -> int:
    """The status of a message a widget on ``origin`` sends (the route's own origin check)."""
    event = load_event("chat_post_message")
    event["headers"]["origin"] = origin
    status: int = chat(event)["statusCode"]
    return status


def _widget_preflight(chat: Any, origin: str) -> int:
    """The status of the CORS preflight a widget on ``origin`` sends before a message."""
    event = load_event("chat_get_config")
    event["requestContext"]["http"]["method"] = "OPTIONS"
    event["headers"].update({"origin": origin, "access-control-request-method": "POST"})
    status: int = chat(event)["statusCode"]
    return status


def test_an_administrators_edit_reaches_the_chat_after_the_check_interval(
    functions, runtime, publishing, clock
):
    chat, admin = functions
    # given a chat page already served from the landlord file
    before = _config(chat)
    assert json.loads(before["body"])["greeting"] != GREETING
    assert _widget_preflight(chat, NEW_ORIGIN) == _widget_message(chat, NEW_ORIGIN) == 403
    # when an administrator saves a new greeting, colour and widget origin
    token, session = signed_in(runtime, StaffRole.ADMINISTRATOR, f"admin@{LANDLORD}")
    fields = _settings_fields(
        session.csrf,
        primary_color="#aa3300",
        allowed_origins=f"http://localhost:3000\r\n{NEW_ORIGIN}",
        **{"default.greeting": GREETING},
    )
    saved = admin(admin_post_event("/admin/settings", token, fields))
    # then the change is recorded, and the chat serves it once the interval has passed
    assert saved["statusCode"] == 303, saved["body"][:500]
    assert [c.action for c in publishing.changes(LANDLORD)] == [ChangeAction.SETTINGS]
    assert json.loads(_config(chat)["body"])["greeting"] != GREETING
    clock.now += CHECK_EVERY_S
    page = json.loads(_config(chat)["body"])
    assert (page["greeting"], page["primary_color"]) == (GREETING, "#aa3300")
    assert _widget_preflight(chat, NEW_ORIGIN) == 204
    assert _widget_message(chat, NEW_ORIGIN) == 200

    # and when it returns to the file, the file is served again after the interval
    reset = admin(
        admin_post_event("/admin/settings/reset", token, {"csrf": session.csrf, "revision": "1"})
    )
    assert reset["statusCode"] == 303
    clock.now += CHECK_EVERY_S
    assert json.loads(_config(chat)["body"])["greeting"] == json.loads(before["body"])["greeting"]
    assert _widget_preflight(chat, NEW_ORIGIN) == 403


def test_a_refused_origin_is_not_saved_and_the_chat_keeps_the_file(
    functions, runtime, publishing, clock
):
    chat, admin = functions
    token, session = signed_in(runtime, StaffRole.ADMINISTRATOR, f"admin@{LANDLORD}")

    refused = admin(
        admin_post_event(
            "/admin/settings",
            token,
            _settings_fields(session.csrf, allowed_origins="https://www.exemple-hlm.fr/chat"),
        )
    )

    assert refused["statusCode"] == 400
    assert "sans chemin" in refused["body"]
    assert publishing.landlord_settings(LANDLORD) is None
    clock.now += CHECK_EVERY_S
    assert _config(chat)["statusCode"] == 200


@pytest.fixture
def sms_worker(dynamodb, monkeypatch, datastore, cm, publishing) -> Iterator[Any]:
    """The SMS functions over the fixture landlord, the worker wired over ``publishing``."""
    monkeypatch.setenv("PIERRE_DATASTORE", str(datastore))
    sqs = setup_aws(monkeypatch, cm_url=cm.url)
    secrets = SecretReader()

    def worker() -> Any:
        dynamodb = boto3.client("dynamodb")
        loop = asyncio.new_event_loop()
        return sms_wiring.build_worker(
            Settings.from_env(),
            SmsSettings.from_env(),
            secrets,
            dynamodb,
            loop.run_until_complete,
            ServingStores(publishing, MemoryArtifacts()),
        )

    with sms_wiring.worker.override(worker):
        yield sqs


def test_the_sms_worker_greets_with_the_edited_greeting(sms_worker, cm, publishing, lambda_context):
    # given a greeting edited in the admin
    seed = LandlordRegistry.from_directory(FIXTURE_KB).from_file(LANDLORD)
    edit = LandlordSettingsEdit.of(seed).to_stored()
    edit["contexts"]["default"]["greeting"] = GREETING
    publishing.save_landlord_settings(LANDLORD, edit, 0)
    # when a tenant's SMS says hello
    body = cm_body(message__text="Bonjour")
    response = sms_webhook_handler.handler(webhook_event(body), lambda_context)
    assert response["statusCode"] == 200
    queue = sms_worker.get_queue_url(QueueName="pierre-local-SmsQueue")["QueueUrl"]
    sms_worker_handler.handler(sqs_event(*queued_bodies(sms_worker, queue)), lambda_context)
    # then the reply is the edited greeting
    assert "Bienvenue chez Exemple HLM" in " ".join(sent.content for sent in cm.sent)


@pytest.mark.parametrize(
    ("role", "csrf_ok", "status"),
    [(StaffRole.CONTRIBUTOR, True, 403), (StaffRole.ADMINISTRATOR, False, 403)],
    ids=["contributor", "administrator without the CSRF token"],
)
def test_a_save_refused_by_role_or_csrf_stores_nothing(
    functions, runtime, publishing, role, csrf_ok, status
):
    _, admin = functions
    token, session = signed_in(runtime, role, f"{role.value}@{LANDLORD}")
    csrf = session.csrf if csrf_ok else "forged-token"

    response = admin(
        admin_post_event("/admin/settings", token, _settings_fields(csrf, primary_color="#000000"))
    )

    assert response["statusCode"] == status
    assert publishing.landlord_settings(LANDLORD) is None
    assert publishing.changes(LANDLORD) == []
