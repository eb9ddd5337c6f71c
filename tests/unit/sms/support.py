"""Shared helpers of the SMS tests (unit and functional): AWS set-up, events, logs."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import yaml

from pierre_local.resources import LocalResources, create_queues
from pierre_local.template import REGION, read_stack
from tests.helpers import REPO_ROOT, load_event

SECRET = "test-webhook-secret"
PHONE = "+33612345678"
PHONE_FORMS = ("+33612345678", "0033612345678", "33612345678", "0612345678", "612345678")
LANDLORD = "exemple-hlm.fr"
LANDLORD_NUMBER = "+33199000042"
LANDLORDS_DIR = REPO_ROOT / "tests" / "fixtures" / "pipeline_kb"


def landlords_with_sms(tmp_path: Path, **sms: Any) -> Path:
    """A copy of the fixture landlords whose SMS landlord's ``sms`` block has ``sms`` set."""
    landlords = tmp_path / "landlords"
    shutil.copytree(LANDLORDS_DIR, landlords)
    if sms:
        landlord_file = landlords / "exemple-hlm.fr" / "landlord.yaml"
        config = yaml.safe_load(landlord_file.read_text(encoding="utf-8"))
        config["sms"].update(sms)
        landlord_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return landlords


IDEMPOTENCY_TABLE = LocalResources.physical_name("IdempotencyTable")
CONVERSATIONS_TABLE = LocalResources.physical_name("ConversationsTable")
RATE_LIMITS_TABLE = LocalResources.physical_name("RateLimitsTable")
SECRETS = {"sms-webhook-secret": SECRET, "cm-product-token": "cm-token", "phone-hash-key": "k"}


def setup_aws(monkeypatch: Any, *, cm_url: str = "http://127.0.0.1:9/v1.0/message") -> Any:
    """Queues and secrets in moto (tables come from the ``dynamodb`` fixture); env set.
    Returns the SQS client."""
    resources = LocalResources(read_stack(REPO_ROOT / "template.yaml"))
    sqs = boto3.client("sqs", region_name=REGION)
    create_queues(resources, sqs, visibility_timeout_s=30)
    ssm = boto3.client("ssm", region_name=REGION)
    for name, value in SECRETS.items():
        ssm.put_parameter(Name=f"/pierre/{name}", Value=value, Type="SecureString")
    env = {
        "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE,
        "CONVERSATIONS_TABLE": CONVERSATIONS_TABLE,
        "RATE_LIMITS_TABLE": RATE_LIMITS_TABLE,
        "SMS_QUEUE_URL": resources.queue_urls["SmsQueue"],
        "PIERRE_LANDLORDS_DIR": str(LANDLORDS_DIR),
        "CM_API_URL": cm_url,
        "CM_BACKOFF_S": "0.01",
        "CM_TIMEOUT_S": "1",
        "PIERRE_LLM": "off",
        "POWERTOOLS_IDEMPOTENCY_DISABLED": "false",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return sqs


def cm_body(name: str = "cm_inbound_question", **changes: Any) -> dict[str, Any]:
    body = load_event(name)
    for path, value in changes.items():
        target = body
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return body


def webhook_event(body: dict[str, Any] | str, secret: str = SECRET) -> dict[str, Any]:
    """The recorded HTTP API event of a CM webhook call, with another body or secret."""
    event = load_event("cm_webhook_inbound")
    event["body"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/sms/{secret}"
    event["pathParameters"] = {"secret": secret}
    return event


def sqs_event(*bodies: str, receive_count: int = 1) -> dict[str, Any]:
    """The recorded SQS event, one record per body."""
    template = load_event("sqs_sms_question")["Records"][0]
    records = []
    for index, body in enumerate(bodies):
        record = copy.deepcopy(template)
        record["messageId"] = f"{template['messageId'][:-2]}{index:02d}"
        record["body"] = body
        record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
        records.append(record)
    return {"Records": records}


def queued_bodies(sqs: Any, queue_url: str) -> list[str]:
    """Drain the queue (moto): every message body now visible."""
    bodies: list[str] = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return bodies
        for message in got:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def build_fixture_datastore(out: Path) -> Path:
    from pierre_rag.knowledge.build import build_datastore
    from pierre_rag.knowledge.embeddings import UseEmbedder

    build_datastore([LANDLORDS_DIR], out, UseEmbedder(threads=1))
    return out


class CapturedLogs:
    """Everything a function logs (the layer's loggers, the function's Powertools logger and
    the other loggers named, e.g. its app package), formatted as in CloudWatch, extras
    included."""

    def __init__(self, powertools_logger: Any, *names: str) -> None:
        import io
        import logging

        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(powertools_logger.registered_formatter)
        self.loggers = [
            logging.getLogger("pierre_rag"),
            *(logging.getLogger(name) for name in names),
            powertools_logger._logger,
        ]

    def __enter__(self) -> CapturedLogs:
        for logger in self.loggers:
            logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc: object) -> None:
        for logger in self.loggers:
            logger.removeHandler(self.handler)

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        """Each line as the JSON object it is."""
        return [json.loads(line) for line in self.text.splitlines()]
