"""Shared test helpers: recorded Lambda events and a Lambda context."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from pierre_rag.channel import Channel
    from pierre_rag.landlords import LandlordConfig
    from pierre_rag.pipeline import TurnRequest

EVENTS_DIR = Path(__file__).parent / "events"
REPO_ROOT = Path(__file__).resolve().parents[1]
# A frozen clock for counters written to DynamoDB Local: 2100-01-01 00:00 UTC, a multiple of
# every window (minute, hour, day). Their expires_at stays ahead of the real clock, so the
# engine's TTL sweeper (it deletes an expired item within about a second) never removes a
# counter mid-test, as it did with a clock in the past.
FROZEN_FUTURE_S = 4_102_444_800


def tenant_turn(
    landlord: str, text: str, channel: Channel = "web", conversation: str | None = None
) -> TurnRequest:
    """A tenant's message to the pipeline, in a new conversation unless ``conversation``."""
    from pierre_rag.pipeline import TurnRequest

    return TurnRequest(
        landlord=landlord,
        channel=channel,
        conversation_id=conversation or str(uuid.uuid4()),
        message_id=str(uuid.uuid4()),
        text=text,
    )


def landlord_with_on_call(on_call: str | None = "01 99 00 99 99") -> LandlordConfig:
    """A landlord with one default context and, unless None, an on-call number."""
    from pierre_rag.landlords import ContextConfig, EmergencyConfig, LandlordConfig

    return LandlordConfig(
        id="exemple-hlm.fr",
        name="Exemple HLM",
        emergency=EmergencyConfig(on_call_phone=on_call) if on_call else None,
        contexts={"default": ContextConfig()},
    )


def load_event(name: str) -> dict[str, Any]:
    """Load ``tests/events/<name>.json`` (a recorded Lambda event), as a fresh dict."""
    path = EVENTS_DIR / f"{name.removesuffix('.json')}.json"
    event: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return event


def admin_login_event(email: str, password: str) -> dict[str, Any]:
    """The recorded admin login post, with ``email`` and ``password`` and a CSRF token that
    matches its cookie (the recording's own token is forged)."""
    event = load_event("admin_login_forged_csrf")
    event["cookies"] = ["pierre_login_csrf=the-login-token"]
    event["body"] = urlencode({"email": email, "password": password, "csrf": "the-login-token"})
    event["headers"]["content-length"] = str(len(event["body"]))
    return event


def admin_post_event(path: str, session_token: str, fields: dict[str, str]) -> dict[str, Any]:
    """The recorded admin form post (a logout), sent to ``path`` with a staff session cookie
    and ``fields`` as its urlencoded body."""
    event = load_event("admin_logout")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["pathParameters"] = {"proxy": path.removeprefix("/admin/")}
    event["cookies"] = [f"pierre_session={session_token}"]
    event["body"] = urlencode(fields)
    event["headers"]["content-length"] = str(len(event["body"]))
    return event


@dataclass
class FakeLambdaContext:
    """The attributes Powertools and Mangum read from the Lambda context."""

    function_name: str = "test-function"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:eu-west-3:123456789012:function:test-function"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "test"
    client_context: Any = None
    identity: Any = None

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def eventually(condition: Callable[[], object], seconds: float = 30.0) -> bool:
    """Whether ``condition()`` becomes true within ``seconds`` (polled): for work a stack does
    in the background (a queued build, an SMS reply), never to time anything."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
