"""Benchmark: the admin conversation list page with 10,000 stored turns, over HTTP through the
local stack (HTTP front → HTTP API v2 event → Mangum → FastAPI → DynamoDB Local).

    .venv/bin/python infra/bench_admin.py [--turns 10000] [--days 2] [--requests 50]

Seeds ``turns`` turns (two per exchange, several exchanges per conversation) for the example
landlord over ``days`` days with the real ConversationStore, signs in as a bootstrapped
administrator through the login form, then times GETs of the busiest day's list page and of
its following pages. Prints p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "infra"), str(REPO / "layers" / "pierre_rag")]

from pierre_local.dynamodb_local import DynamoDBLocal  # noqa: E402
from pierre_rag.auth.bootstrap import bootstrap_secret_name  # noqa: E402
from pierre_rag.conversations import (  # noqa: E402
    CONVERSATION_PREFIX,
    META_SORT_KEY,
    RECEIPT_PREFIX,
    ConversationStore,
    Turn,
)
from pierre_rag.evaluation.measures import percentile  # noqa: E402
from pierre_rag.storage.items import to_item  # noqa: E402
from pierre_rag.stored_names import LANDLORD_ATTRIBUTE, landlord_key  # noqa: E402
from tests.stack import running_stack  # noqa: E402

LANDLORD = "pierre-habitat.fr"
TURNS_PER_CONVERSATION = 4


def conversation_items(cid: str, created: int, channel: str) -> list[dict[str, Any]]:
    """The items ConversationStore writes for one conversation (META, turns, receipts).

    The bench writes the same item shapes with BatchWriteItem (a transaction per message
    would make seeding the slow part); a check after seeding reads them back through the
    store.
    """
    pk = f"{CONVERSATION_PREFIX}{cid}"
    expires = int(time.time()) + 30 * 86400
    items: list[dict[str, Any]] = []
    for exchange in range(TURNS_PER_CONVERSATION // 2):
        at = created + exchange * 5000
        ask = Turn("user", f"Question {exchange} de la conversation", uuid.uuid4().hex, at)
        items.append({"pk": pk, "sk": f"{RECEIPT_PREFIX}{ask.message_id}", "expires_at": expires})
        answer = Turn(
            "assistant",
            "Réponse extractive de test.",
            ask.message_id,
            at + 800,
            sources=[
                {
                    "number": "1",
                    "file": "pierre-habitat.fr/public/agences.md",
                    "title": "Agences",
                    "heading": "Horaires",
                    "breadcrumb": "Agences",
                }
            ],
            outcome="answered",
            language="fr",
            model="extractive",
            prompt_tokens=300,
            completion_tokens=50,
            latency_ms={"total": 800.0},
            cost_usd=0.0001,
        )
        for turn in (ask, answer):
            items.append(
                {
                    "pk": pk,
                    "sk": turn.sort_key,
                    "expires_at": expires,
                    **ConversationStore._turn_attributes(turn),
                }
            )
    day = datetime.fromtimestamp(created / 1000, tz=UTC).date().isoformat()
    items.append(
        {
            "pk": pk,
            "sk": META_SORT_KEY,
            LANDLORD_ATTRIBUTE: LANDLORD,
            "context": "default",
            "channel": channel,
            "created_ms": created,
            "last_ms": created + 5800,
            "expires_at": expires,
            "gsi1pk": f"{landlord_key(LANDLORD)}#{day}",
            "gsi1sk": f"{created:013d}#{cid}",
            "turn_count": TURNS_PER_CONVERSATION,
            "outcome_answered": TURNS_PER_CONVERSATION // 2,
            "tokens": 700,
            "cost_usd": 0.0002,
        }
    )
    return [to_item(item) for item in items]


def seed(store: ConversationStore, turns: int, days: int) -> list[str]:
    now = int(time.time() * 1000)
    start = now - (days - 1) * 86_400_000
    stamp_days: set[str] = set()
    batch: list[dict[str, Any]] = []
    for index in range(turns // TURNS_PER_CONVERSATION):
        created = start + (index % days) * 86_400_000 - (index // days) * 1000
        channel = "web" if index % 3 else "sms"
        batch.extend(conversation_items(str(uuid.uuid4()), created, channel))
        stamp_days.add(datetime.fromtimestamp(created / 1000, tz=UTC).date().isoformat())
        while len(batch) >= 25:
            write(store, batch[:25])
            del batch[:25]
    if batch:
        write(store, batch)
    return sorted(stamp_days)


def write(store: ConversationStore, items: list[dict[str, Any]]) -> None:
    pending: dict[str, Any] = {store.table: [{"PutRequest": {"Item": item}} for item in items]}
    while pending:
        pending = store.client.batch_write_item(RequestItems=pending).get("UnprocessedItems")


def sign_in(url: str, bootstrap: str) -> urllib.request.OpenerDirector:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url + "/admin/login").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    body = urllib.parse.urlencode(
        {"email": f"admin@{LANDLORD}", "password": bootstrap, "csrf": csrf.group(1)}
    ).encode()
    landing = opener.open(url + "/admin/login", body)
    assert landing.geturl().endswith("/admin/password"), landing.geturl()
    # a bootstrapped administrator must change the password before anything else
    page = landing.read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    new = "mot de passe du banc d'essai"
    body = urllib.parse.urlencode(
        {"current": bootstrap, "new": new, "confirm": new, "csrf": csrf.group(1)}
    ).encode()
    assert opener.open(url + "/admin/password", body).geturl().endswith("/admin/conversations")
    return opener


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as state,
        DynamoDBLocal() as dynamodb,
        running_stack(Path(state), dynamodb=dynamodb.endpoint, env={"PIERRE_LLM": "off"}) as stack,
    ):
        store = ConversationStore(stack.client("dynamodb"), stack.table("ConversationsTable"))
        started = time.perf_counter()
        days = seed(store, args.turns, args.days)
        metas, _ = store.conversations_of_day(LANDLORD, days[-1], limit=1)
        stored = sum(len(store.all_turns(meta.conversation_id)) for meta in metas)
        assert metas and stored == TURNS_PER_CONVERSATION, "seeded items must read back"
        print(
            f"seeded {args.turns} turns ({args.turns // TURNS_PER_CONVERSATION} conversations)"
            f" over {days} in {time.perf_counter() - started:.0f} s"
        )
        opener = sign_in(stack.url, stack.secrets[bootstrap_secret_name(LANDLORD)])
        day = days[-1]
        first = f"{stack.url}/admin/conversations?day={day}"
        html = opener.open(first).read().decode()
        rows = html.count('<td><a href="/admin/conversations/')
        nxt = re.search(r'rel="next" href="([^"]+)"', html)
        urls = [first] + ([stack.url + nxt.group(1).replace("&amp;", "&")] if nxt else [])
        for label, url in zip(("first page", "next page"), urls, strict=False):
            timings = []
            for _ in range(args.requests):
                began = time.perf_counter()
                response = opener.open(url)
                body = response.read()
                timings.append((time.perf_counter() - began) * 1000)
                assert response.status == 200 and b"conversations" in body
            print(
                f"GET list page ({label}, {rows} rows shown, day {day}): "
                f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms"
                f" over {args.requests} requests"
            )
        # where the time goes: the same Query straight to DynamoDB, and a route without it
        direct = []
        for _ in range(args.requests):
            began = time.perf_counter()
            store.conversations_of_day(LANDLORD, day, limit=50)
            direct.append((time.perf_counter() - began) * 1000)
        health = []
        for _ in range(args.requests):
            began = time.perf_counter()
            opener.open(f"{stack.url}/admin/health").read()
            health.append((time.perf_counter() - began) * 1000)
        print(
            f"  of which: by-tenant-day Query p50 {statistics.median(direct):.1f} ms; "
            "GET /admin/health (HTTP front, event, Mangum) "
            f"p50 {statistics.median(health):.1f} ms"
        )
        timings = []
        for _ in range(3):  # the stats page reads every META item of the period
            began = time.perf_counter()
            opener.open(f"{stack.url}/admin/stats?start={days[0]}&end={days[-1]}").read()
            timings.append((time.perf_counter() - began) * 1000)
        print(
            f"GET stats page ({len(days)} days): p50 {statistics.median(timings):.0f} ms, "
            f"p95 {percentile(timings, 0.95):.0f} ms"
        )


if __name__ == "__main__":
    main()
