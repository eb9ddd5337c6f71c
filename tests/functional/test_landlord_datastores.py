"""Given a landlord datastore published in the memory stores and a layer holding the
community knowledge only, when the real chat and SMS worker handlers answer, then they
answer from the landlord's live datastore, and from the layer's knowledge, with a 200 and
health degraded, when the published object is missing."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest

import chat_wiring
import sms_webhook_handler
import sms_wiring
import sms_worker_handler
from pierre_rag import wiring
from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.embeddings import embedder_from_env
from pierre_rag.publishing.memory import MemoryArtifacts, MemoryPublishing
from pierre_rag.publishing.models import Pointer, datastore_key
from pierre_rag.publishing.serving import ServingStores
from pierre_rag.settings import SecretReader, Settings, SmsSettings
from tests.functional.conftest import FIXTURE_KB, LANDLORD
from tests.functional.test_chat_api import _message, _sse
from tests.helpers import load_event
from tests.unit.sms.support import cm_body, queued_bodies, setup_aws, sqs_event, webhook_event

VERSION = "0123456789abcdef"
SUMMER_HOURS = "du lundi au jeudi de 8 h à 12 h"
QUESTION = "Quels sont les horaires d'été de l'agence ?"


@pytest.fixture(scope="module")
def datastores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The layer's (community only) and the landlord's (community + its files, one of them
    new: its summer hours), built with the chat's embedder."""
    root = tmp_path_factory.mktemp("landlord-datastores")
    sources = root / "sources"
    shutil.copytree(FIXTURE_KB, sources)
    (sources / LANDLORD / "public" / "horaires-ete.md").write_text(
        "---\naccess: public\ntitle: \"Horaires d'été\"\n---\n# Horaires d'été de l'agence\n\n"
        "## Quels sont les horaires d'été de l'agence ?\n\n"
        f"En juillet et en août, l'agence vous accueille {SUMMER_HOURS}.\n",
        encoding="utf-8",
    )
    embedder = embedder_from_env({})
    layer, landlord = root / "layer.sqlite", root / "landlord.sqlite"
    build_datastore([FIXTURE_KB], layer, embedder, community_only=True)
    build_datastore([sources], landlord, embedder)
    return {"layer": layer, "landlord": landlord}


@pytest.fixture
def stores(datastores: dict[str, Path], tmp_path: Path) -> ServingStores:
    """The landlord's pointer at its datastore, uploaded."""
    stores = ServingStores(MemoryPublishing(), MemoryArtifacts(), tmp_path / "served")
    key = datastore_key(LANDLORD, VERSION)
    stores.artifacts.upload_datastore(key, datastores["landlord"])
    pointer = Pointer(
        landlord=LANDLORD, version=VERSION, object_key=key, published_ms=0, published_by="test"
    )
    stores.repository.move_pointer(pointer, None)
    return stores


@pytest.fixture
def chat_over(runtime: Any, datastores: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The chat handler whose services (a new container) follow ``stores``' pointers."""
    import chat_handler

    monkeypatch.setenv("PIERRE_DATASTORE", str(datastores["layer"]))

    def call(stores: ServingStores, event: dict[str, Any], context: Any) -> list[Any]:
        """The handler's response to ``event``, then its health's."""

        def build() -> Any:
            settings = Settings.from_env()
            return chat_wiring.build_services(
                settings, SecretReader(), boto3.client("dynamodb"), publishing=stores
            )

        with chat_wiring.services.override(build):
            return [
                chat_handler.handler(event, context),
                chat_handler.handler(load_event("chat_health"), context),
            ]

    return call


def _answer(response: dict[str, Any]) -> str:
    assert response["statusCode"] == 200
    return "".join(data["text"] for kind, data in _sse(response["body"]) if kind == "delta")


def test_the_chat_answers_from_the_landlords_published_datastore(chat_over, stores, lambda_context):
    answered, health = chat_over(stores, _message(QUESTION), lambda_context)

    assert SUMMER_HOURS in _answer(answered)
    knowledge = json.loads(health["body"])["knowledge"]
    assert knowledge[LANDLORD] == {"version": VERSION, "problem": None, "stale_community": False}


def test_an_article_of_the_published_datastore_opens(chat_over, stores, lambda_context):
    event = load_event("chat_get_article")
    path = f"/api/landlords/{LANDLORD}/articles/{LANDLORD}/public/horaires-ete.md"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["pathParameters"]["proxy"] = path.removeprefix("/api/")

    page, _ = chat_over(stores, event, lambda_context)

    assert page["statusCode"] == 200
    assert "du lundi au jeudi de 8 h" in page["body"]  # (JSON data: "à" is escaped)


class _MeetingArtifacts(MemoryArtifacts):
    """Memory artifacts whose download waits until the embedding model has begun loading."""

    def __init__(self, model_loading: threading.Event, downloading: threading.Event) -> None:
        super().__init__()
        self.model_loading, self.downloading = model_loading, downloading

    def download_datastore(self, key: str, path: Path) -> None:
        self.downloading.set()
        assert self.model_loading.wait(timeout=30), "the download waited for the model load"
        super().download_datastore(key, path)


def test_the_cold_start_downloads_the_landlords_datastore_while_the_model_loads(
    chat_over, stores, datastores, lambda_context, monkeypatch
):
    # Given a download and a model load that each wait until the other has begun
    model_loading, downloading = threading.Event(), threading.Event()
    artifacts = _MeetingArtifacts(model_loading, downloading)
    artifacts.upload_datastore(datastore_key(LANDLORD, VERSION), datastores["landlord"])
    warm_knowledge = wiring.warm_knowledge

    def meeting_warm_knowledge(base: Any) -> None:
        model_loading.set()
        assert downloading.wait(timeout=30), "the model load waited for the download"
        warm_knowledge(base)

    monkeypatch.setattr(wiring, "warm_knowledge", meeting_warm_knowledge)

    # When a new container builds its services
    served = ServingStores(stores.repository, artifacts, stores.folder)
    answered, health = chat_over(served, _message(QUESTION), lambda_context)

    # Then both ran at once (sequential, one would have waited in vain) and it serves the landlord
    assert SUMMER_HOURS in _answer(answered)
    assert json.loads(health["body"])["knowledge"][LANDLORD]["version"] == VERSION


def test_a_missing_published_object_falls_back_to_the_layer_without_a_500(
    chat_over, stores, lambda_context
):
    stores.artifacts.delete_datastore(datastore_key(LANDLORD, VERSION))

    answered, health = chat_over(stores, _message(QUESTION), lambda_context)

    assert SUMMER_HOURS not in _answer(answered)  # answered, from the community knowledge
    payload = json.loads(health["body"])
    assert health["statusCode"] == 200 and payload["status"] == "degraded"
    assert payload["knowledge"][LANDLORD] == {
        "version": "layer",
        "problem": "download-failed",
        "stale_community": False,
    }


def test_an_sms_turn_answers_from_the_landlords_published_datastore(
    dynamodb, cm, datastores, stores, monkeypatch, lambda_context
):
    sqs = setup_aws(monkeypatch, cm_url=cm.url)
    monkeypatch.setenv("PIERRE_DATASTORE", str(datastores["layer"]))
    body = cm_body(message__text=QUESTION)
    assert sms_webhook_handler.handler(webhook_event(body), lambda_context)["statusCode"] == 200
    queued = queued_bodies(sqs, sqs.get_queue_url(QueueName="pierre-local-SmsQueue")["QueueUrl"])

    def build() -> Any:
        loop = asyncio.new_event_loop()
        return sms_wiring.build_worker(
            Settings.from_env(),
            SmsSettings.from_env(),
            SecretReader(),
            boto3.client("dynamodb"),
            loop.run_until_complete,
            publishing=stores,
        )

    with sms_wiring.worker.override(build):
        response = sms_worker_handler.handler(sqs_event(*queued), lambda_context)

    assert response["batchItemFailures"] == []
    sent = " ".join(message.content for message in cm.sent)
    assert "8 h à 12 h" in sent
