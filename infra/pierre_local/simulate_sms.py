"""Simulate an inbound SMS against the running local stack and print the reply.

``make sms TEXT='Quel est le préavis ?'`` (or ``python -m pierre_local.simulate_sms``):
posts a CM.com-shaped webhook to ``/sms/<sms-webhook-secret>`` (read from
``.local/secrets.json``), then polls the stack's fake CM server for what the worker sent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pierre_local.stack import REPO_ROOT

DEFAULT_FROM = "+33600000001"  # a made-up sender
DEFAULT_TO = "+33199000001"  # pierre-habitat.fr's (fictional) number


def cm_payload(text: str, sender: str, recipient: str) -> dict[str, Any]:
    """The JSON CM.com posts for an inbound SMS (documented MO webhook format)."""
    now = datetime.now(tz=UTC)
    return {
        "reference": str(uuid.uuid4()),
        "messageContext": "",
        "from": {"number": sender, "name": ""},
        "to": {"number": recipient},
        "message": {"text": text, "media": {"mediaUri": "", "contentType": "", "title": ""}},
        "groupings": ["", "", ""],
        "time": now.strftime("%Y-%m-%d %H:%M:%S"),
        "timeUtc": now.strftime("%Y-%m-%dT%H:%M:%S"),
        "channel": "SMS",
    }


def _request(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 - local URLs
        url, data=data, method="POST" if data else "GET",
        headers={"content-type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="simulate_sms", description=__doc__.splitlines()[0])
    parser.add_argument("text", nargs="?", default="Quels sont les horaires de mon agence ?")
    parser.add_argument("--url", default="http://127.0.0.1:3000", help="the local stack")
    parser.add_argument("--from", dest="sender", default=DEFAULT_FROM)
    parser.add_argument("--to", dest="recipient", default=DEFAULT_TO)
    parser.add_argument("--state-dir", type=Path, default=REPO_ROOT / ".local")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for a reply")
    args = parser.parse_args(argv)
    try:
        secret = json.loads((args.state_dir / "secrets.json").read_text())["sms-webhook-secret"]
        fake_cm = json.loads((args.state_dir / "fake-cm.json").read_text())["url"]
    except (OSError, KeyError, json.JSONDecodeError):
        print("simulate_sms: start the local stack first (make dev)", file=sys.stderr)
        return 1
    messages_url = fake_cm.rsplit("/v1.0/", 1)[0] + "/_fake/messages"
    try:
        before = len(json.loads(_request(messages_url)[1])["messages"])
        payload = cm_payload(args.text, args.sender, args.recipient)
        status, body = _request(f"{args.url}/sms/{secret}", json.dumps(payload).encode())
    except OSError as error:
        print(f"simulate_sms: the local stack is not reachable ({error})", file=sys.stderr)
        return 1
    print(f"webhook → HTTP {status} {body.decode()}")
    if status != 200 or json.loads(body).get("status") != "queued":
        return 0 if status == 200 else 1
    deadline = time.monotonic() + args.wait
    while time.monotonic() < deadline:
        sent = json.loads(_request(messages_url)[1])["messages"][before:]
        if sent:
            time.sleep(0.3)  # all parts of one answer arrive in one request
            sent = json.loads(_request(messages_url)[1])["messages"][before:]
            print(f"reply ({len(sent)} SMS):")
            for sms in sent:
                print(f"  [{len(sms['content'])} chars] {sms['content']}")
            return 0
        time.sleep(0.3)
    print("no reply yet; see the local stack's console", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
