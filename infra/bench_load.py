"""Load check of the local stack on DynamoDB Local: concurrent chat turns and SMS webhooks.

    .venv/bin/python infra/bench_load.py [--turns 200] [--same-ip 60] [--sms 500]
                                         [--duplicates 0.2] [--workers 32]

Starts DynamoDB Local, a fake CM.com and ``pierre-local`` (extractive answers, the fixture
knowledge base), all on loopback, then:

1. ``--turns`` chat turns at once, ``--same-ip`` of them from one address (a landlord's
   office behind one NAT: the per-IP limit answers 429 past it), the others each from its
   own loopback address (127.0.x.y);
2. ``--sms`` CM webhooks, a share ``--duplicates`` of them repeating an earlier reference
   (CM's retries), each new message from its own number; then it waits for the replies.

It prints the status counts, 5xx other than 429, p50/p95 latencies, and per SMS number the
replies CM was asked to send: duplicates (more than one) and lost (none). Bounded: every
request and wait has a timeout, and every address is checked to be loopback.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import random
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "infra"), str(REPO / "layers" / "pierre_rag")]

from pierre_local.dynamodb_local import DynamoDBLocal  # noqa: E402
from pierre_local.fake_cm import FakeCm  # noqa: E402
from pierre_rag.evaluation.measures import percentile  # noqa: E402
from tests.stack import RunningStack, running_stack, signed_json_headers  # noqa: E402
from tests.unit.sms.support import LANDLORDS_DIR, build_fixture_datastore, cm_body  # noqa: E402

LANDLORD = "exemple-hlm.fr"
TIMEOUT_S = 60.0
REPLY_WAIT_S = 600.0


def _loopback(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if not ipaddress.ip_address(parts.hostname or "").is_loopback:
        raise SystemExit(f"bench_load talks to loopback addresses only, not {url}")
    return parts


def _post(url: str, body: dict[str, Any], source: str = "127.0.0.1") -> tuple[int, float]:
    """POST JSON from the loopback address ``source``; (status, seconds)."""
    parts = _loopback(url)
    if not ipaddress.ip_address(source).is_loopback:
        raise SystemExit(f"source address {source} is not loopback")
    connection = http.client.HTTPConnection(
        parts.hostname or "", parts.port, timeout=TIMEOUT_S, source_address=(source, 0)
    )
    started = time.perf_counter()
    try:
        data = json.dumps(body).encode()
        connection.request("POST", parts.path, data, signed_json_headers(data))
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    except OSError as error:
        print(f"no answer from {url} ({source}): {error!r}", file=sys.stderr, flush=True)
        return 0, time.perf_counter() - started  # no answer at all: counted apart
    finally:
        connection.close()


def _summary(name: str, results: list[tuple[int, float]]) -> dict[str, Any]:
    statuses = Counter(status for status, _ in results)
    latencies = [seconds * 1000 for _, seconds in results]
    return {
        "what": name,
        "requests": len(results),
        "statuses": dict(sorted(statuses.items())),
        "5xx_not_429": sum(n for status, n in statuses.items() if status >= 500),
        "no_answer": statuses.get(0, 0),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
    }


def chat_load(stack: RunningStack, turns: int, same_ip: int, workers: int) -> dict[str, Any]:
    def turn(index: int) -> tuple[int, float]:
        source = "127.0.0.2" if index < same_ip else f"127.0.{1 + index // 250}.{index % 250 + 1}"
        body = {
            "landlord": LANDLORD,
            "context": "default",
            "message_id": str(uuid.uuid4()),
            "text": f"Quel est le préavis pour quitter mon logement ? ({index})",
        }
        url = f"{stack.url}/api/conversations/{uuid.uuid4()}/messages"
        return _post(url, body, source)

    with ThreadPoolExecutor(workers) as pool:
        return _summary("chat turns", list(pool.map(turn, range(turns))))


def sms_load(
    stack: RunningStack, cm: FakeCm, messages: int, duplicates: float, workers: int
) -> dict[str, Any]:
    originals = messages - int(messages * duplicates)
    bodies = [
        cm_body(reference=str(uuid.uuid4()), from__number=f"+336{10_000_000 + index:08d}")
        for index in range(originals)
    ]
    rng = random.Random(13)  # noqa: S311 - the same mix on every run, not a secret
    sent = bodies + [rng.choice(bodies) for _ in range(messages - originals)]
    rng.shuffle(sent)
    url = f"{stack.url}/sms/{stack.secrets['sms-webhook-secret']}"
    with ThreadPoolExecutor(workers) as pool:
        summary = _summary("sms webhooks", list(pool.map(lambda b: _post(url, b), sent)))

    expected = {"00" + body["from"]["number"].removeprefix("+") for body in bodies}
    deadline = time.monotonic() + REPLY_WAIT_S
    started = time.monotonic()
    while time.monotonic() < deadline and not expected <= {s.recipient for s in cm.sent}:
        time.sleep(0.5)
    time.sleep(3)  # time for a (wrong) second delivery to show up
    replies: dict[str, set[str]] = {number: set() for number in expected}
    for sms in list(cm.sent):
        if sms.recipient in replies:
            replies[sms.recipient].add(sms.reference.rsplit("-", 1)[0])
    summary.update(
        {
            "sms_messages": originals,
            "replied": sum(1 for refs in replies.values() if refs),
            "duplicate_replies": sum(1 for refs in replies.values() if len(refs) > 1),
            "lost": sum(1 for refs in replies.values() if not refs),
            "all_replied_after_s": round(time.monotonic() - started, 1),
        }
    )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--same-ip", type=int, default=60)
    parser.add_argument("--sms", type=int, default=500)
    parser.add_argument("--duplicates", type=float, default=0.2)
    parser.add_argument("--workers", type=int, default=32)
    args = parser.parse_args()
    if not (0 <= args.same_ip <= args.turns <= 5_000 and 0 <= args.sms <= 5_000):
        raise SystemExit("bounded: at most 5,000 turns and 5,000 SMS")
    with tempfile.TemporaryDirectory() as work:
        datastore = build_fixture_datastore(Path(work) / "datastore.sqlite")
        with (
            DynamoDBLocal() as dynamodb,
            FakeCm() as cm,
            running_stack(
                Path(work) / "state",
                "--parameter-overrides",
                f"CmApiUrl={cm.url}",
                dynamodb=dynamodb.endpoint,
                env={
                    "PIERRE_DATASTORE": str(datastore),
                    "PIERRE_LANDLORDS_DIR": str(LANDLORDS_DIR),
                    "PIERRE_LLM": "off",
                },
            ) as stack,
        ):
            _loopback(stack.url)
            _loopback(cm.url)
            _loopback(dynamodb.endpoint)
            chat = chat_load(stack, args.turns, args.same_ip, args.workers)
            print(json.dumps(chat, ensure_ascii=False), flush=True)
            sms = sms_load(stack, cm, args.sms, args.duplicates, args.workers)
            print(json.dumps(sms, ensure_ascii=False), flush=True)
            errors = [line for line in stack.output if "Traceback" in line or "ERROR" in line]
            print(f"stack log: {len(errors)} error line(s)", *errors[-10:], sep="\n")


if __name__ == "__main__":
    main()
