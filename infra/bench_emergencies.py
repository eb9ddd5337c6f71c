"""Emergency detection: precision and recall per intent on the labelled messages.

    .venv/bin/python infra/bench_emergencies.py [--file tests/bench/emergencies.jsonl] [--misses]

A message counts as an emergency when at least one intent is found (what decides whether the
emergency block is given); per intent, each message's set of intents is compared with its
labels. ``--misses`` lists the messages the rules get wrong.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

from pierre_rag.pipeline.emergencies import Emergency, detect_emergencies

REPO = Path(__file__).resolve().parents[1]


def _ratio(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "  -  "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--file", type=Path, default=REPO / "tests/bench/emergencies.jsonl")
    parser.add_argument("--misses", action="store_true", help="list the wrong verdicts")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line]

    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    by_language: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    misses = []
    for row in rows:
        expected = set(row["intents"])
        found = {intent.value for intent in detect_emergencies(row["text"]).intents}
        for intent in Emergency:
            key = intent.value
            counts[key]["tp"] += key in expected and key in found
            counts[key]["fp"] += key not in expected and key in found
            counts[key]["fn"] += key in expected and key not in found
        outcome = ("t" if bool(found) == bool(expected) else "f") + ("p" if found else "n")
        counts["any"][outcome] += 1
        by_language[row["lang"]][outcome] += 1
        if found != expected:
            misses.append((row["id"], sorted(expected), sorted(found), row["text"]))

    print(f"{len(rows)} messages, {sum(1 for r in rows if r['intents'])} emergencies")
    print(f"{'intent':<16} {'precision':>9} {'recall':>7}  tp fp fn")
    for intent in Emergency:
        c = counts[intent.value]
        precision = _ratio(c["tp"], c["tp"] + c["fp"])
        recall = _ratio(c["tp"], c["tp"] + c["fn"])
        print(
            f"{intent.value:<16} {precision:>9} {recall:>7}  {c['tp']:>2} {c['fp']:>2} {c['fn']:>2}"
        )
    a = counts["any"]
    print(
        f"{'any emergency':<16} {_ratio(a['tp'], a['tp'] + a['fp']):>9} "
        f"{_ratio(a['tp'], a['tp'] + a['fn']):>7}  {a['tp']:>2} {a['fp']:>2} {a['fn']:>2}"
    )
    print("per language (any emergency): precision recall")
    for language, c in sorted(by_language.items()):
        precision = _ratio(c["tp"], c["tp"] + c["fp"])
        print(f"  {language}: {precision} {_ratio(c['tp'], c['tp'] + c['fn'])}")
    print(f"messages with a wrong set of intents: {len(misses)}")
    if args.misses:
        for row_id, wanted, got, text in misses:
            print(f"  {row_id} expected {wanted} found {got}: {text}")


if __name__ == "__main__":
    main()
