"""Benchmark: the admin conversation list page with 10,000 stored turns, over HTTP through the
local stack (HTTP front → HTTP API v2 event → Mangum → FastAPI → DynamoDB on moto).

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

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "infra"), str(REPO / "layers" / "pierre_rag")]

from pierre_rag.conversations import ConversationStore, Turn  # noqa: E402
from tests.stack import running_stack  # noqa: E402

TENANT = "pierre-habitat.fr"
TURNS_PER_CONVERSATION = 4


def seed(store: ConversationStore, turns: int, days: int) -> list[str]:
    conversations = turns // TURNS_PER_CONVERSATION
    now = int(time.time() * 1000)
    day_ms = 86_400_000
    start = now - (days - 1) * day_ms
    stamp_days: set[str] = set()
    for index in range(conversations):
        created = start + (index % days) * day_ms - (index // days) * 1000
        cid = str(uuid.uuid4())
        for exchange in range(TURNS_PER_CONVERSATION // 2):
            at = created + exchange * 5000
            ask = Turn(
                "user", f"Question {exchange} de la conversation {index}", uuid.uuid4().hex, at
            )
            store.record_user_turn(
                cid,
                ask,
                tenant=TENANT,
                context="default",
                channel="web" if index % 3 else "sms",
                retention_days=30,
            )
            store.record_answer(
                cid,
                ask.message_id,
                Turn(
                    "assistant",
                    "Réponse extractive de test.",
                    uuid.uuid4().hex,
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
                ),
                retention_days=30,
            )
        stamp_days.add(datetime.fromtimestamp(created / 1000, tz=UTC).date().isoformat())
        if index and index % 500 == 0:
            print(f"  seeded {index * TURNS_PER_CONVERSATION} turns", file=sys.stderr)
    return sorted(stamp_days)


def sign_in(url: str, bootstrap: str) -> urllib.request.OpenerDirector:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url + "/admin/login").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    body = urllib.parse.urlencode(
        {"email": f"admin@{TENANT}", "password": bootstrap, "csrf": csrf.group(1)}
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as state,
        running_stack(Path(state), env={"PIERRE_LLM": "off"}) as stack,
    ):
        store = ConversationStore(stack.client("dynamodb"), "pierre-local-ConversationsTable")
        started = time.perf_counter()
        days = seed(store, args.turns, args.days)
        print(
            f"seeded {args.turns} turns ({args.turns // TURNS_PER_CONVERSATION} conversations)"
            f" over {days} in {time.perf_counter() - started:.0f} s"
        )
        opener = sign_in(stack.url, stack.secrets["admin-bootstrap-password"])
        day = days[-1]
        first = f"{stack.url}/admin/conversations?day={day}"
        html = opener.open(first).read().decode()
        rows = html.count('href="/admin/conversations/') - html.count("/delete")
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
        timings = []
        for _ in range(max(5, args.requests // 5)):
            began = time.perf_counter()
            opener.open(f"{stack.url}/admin/stats?start={days[0]}&end={days[-1]}").read()
            timings.append((time.perf_counter() - began) * 1000)
        print(
            f"GET stats page ({len(days)} days): p50 {statistics.median(timings):.0f} ms, "
            f"p95 {percentile(timings, 0.95):.0f} ms"
        )


if __name__ == "__main__":
    main()
