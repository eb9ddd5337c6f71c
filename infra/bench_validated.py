"""Validated answers and backlog groups: how close two questions must be to be the same need.

    .venv/bin/python infra/bench_validated.py [--show]

Each row of the bench files (the shared development split, then the project's own
``tests/bench/questions.*.jsonl``) stands in turn for a stored validated question; every
other row is asked as a later question and gets the closest stored one, as the chat would
(``pierre_rag.review.matching``, the search's own embedder). A match is correct when both
rows share an expected section (file and heading: the same need), wrong otherwise (a row
with no expected section, off-topic or abusive, is never the same need as any). Printed per
threshold: matches, wrong ones, precision, and recall (the share of questions that have
another row of the same need and were matched to one).

The threshold served (``VALIDATED_MIN_COSINE``) is the lowest with no wrong match on the
development split, raised until the project's files have none either and no near miss of
``tests/bench/validated_pairs.jsonl`` (same-need paraphrases and different-need near misses,
written for this, questions only) would be served. For the backlog's groups every pair of
rows is counted (same need or not, close enough or not) and the threshold
(``GROUP_MIN_COSINE``) is the lowest with no wrong pair on the development split: staff read
each group, so it may be looser than serving (the pairs are printed at it too).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO = Path(__file__).resolve().parents[1]

import numpy as np  # noqa: E402

from pierre_rag.knowledge.embeddings import Vectors, embedder_from_env  # noqa: E402

SHARED = Path(os.environ.get("PIERRE_SHARED_DIR", REPO.parent / "shared"))
DEV = SHARED / "bench" / "questions.dev.jsonl"
PROJECT = sorted((REPO / "tests" / "bench").glob("questions.*.jsonl"))
PAIRS = REPO / "tests" / "bench" / "validated_pairs.jsonl"
THRESHOLDS = [round(0.60 + 0.01 * n, 2) for n in range(40)]


@dataclass(frozen=True)
class Row:
    id: str
    question: str
    needs: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Score:
    threshold: float
    matches: int
    wrong: int
    matchable: int

    @property
    def precision(self) -> float:
        return (self.matches - self.wrong) / self.matches if self.matches else 1.0

    @property
    def recall(self) -> float:
        return (self.matches - self.wrong) / self.matchable if self.matchable else 0.0


def load(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            needs = frozenset((e["file"], e["heading"]) for e in data.get("expected") or [])
            rows.append(Row(data["id"], data["question"], needs))
    return rows


def served(rows: list[Row], vectors: Vectors, threshold: float) -> Score:
    """Each row asked against all the others stored: its closest one, if close enough."""
    cosines = vectors @ vectors.T
    np.fill_diagonal(cosines, -1.0)
    matches = wrong = matchable = 0
    for index, row in enumerate(rows):
        if any(row.needs & other.needs for j, other in enumerate(rows) if j != index):
            matchable += 1
        best = int(np.argmax(cosines[index]))
        if cosines[index, best] >= threshold:
            matches += 1
            wrong += not (row.needs & rows[best].needs)
    return Score(threshold, matches, wrong, matchable)


def pairs(rows: list[Row], vectors: Vectors, threshold: float) -> Score:
    """Every pair of rows: close enough counts as grouped, right when the same need."""
    cosines = vectors @ vectors.T
    upper = np.triu_indices(len(rows), k=1)
    same = np.array([bool(rows[i].needs & rows[j].needs) for i, j in zip(*upper, strict=True)])
    close = cosines[upper] >= threshold
    return Score(threshold, int(close.sum()), int((close & ~same).sum()), int(same.sum()))


def table(title: str, scores: list[Score]) -> None:
    print(f"\n{title}\n threshold  matches  wrong  precision  recall")
    for s in scores:
        figures = f"{s.matches:7d}  {s.wrong:5d}   {s.precision:8.3f}  {s.recall:6.3f}"
        print(f"   {s.threshold:.2f}   {figures}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--show", action="store_true", help="list the wrong matches")
    args = parser.parse_args()
    embedder = embedder_from_env()
    dev = load(DEV)
    everything = dev + [row for path in PROJECT for row in load(path)]
    dev_vectors = embedder.embed([row.question for row in dev])
    all_vectors = embedder.embed([row.question for row in everything])

    dev_served = [served(dev, dev_vectors, t) for t in THRESHOLDS]
    all_served = [served(everything, all_vectors, t) for t in THRESHOLDS]
    table(f"served, development split ({len(dev)} rows)", dev_served)
    table(f"served, development split and project files ({len(everything)} rows)", all_served)
    pair_rows = [
        json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    stored = embedder.embed([p["stored"] for p in pair_rows])
    asked = embedder.embed([p["asked"] for p in pair_rows])
    pair_cosines = np.sum(stored * asked, axis=1)
    near_miss = max(
        (float(c) for p, c in zip(pair_rows, pair_cosines, strict=True) if not p["same_need"]),
        default=0.0,
    )
    chosen = next(
        t
        for t in THRESHOLDS
        if t > near_miss
        and all(s.wrong == 0 for s in (*dev_served, *all_served) if s.threshold == t)
    )
    dev_at = next(s for s in dev_served if s.threshold == chosen)
    all_at = next(s for s in all_served if s.threshold == chosen)
    print(
        f"\nVALIDATED_MIN_COSINE = {chosen:.2f}: development split precision "
        f"{dev_at.precision:.3f} recall {dev_at.recall:.3f} ({dev_at.matches} matches); "
        f"all files precision {all_at.precision:.3f} recall {all_at.recall:.3f}"
    )
    if args.show:
        cosines = all_vectors @ all_vectors.T
        np.fill_diagonal(cosines, -1.0)
        for index, row in enumerate(everything):
            best = int(np.argmax(cosines[index]))
            if cosines[index, best] >= THRESHOLDS[0] and not (row.needs & everything[best].needs):
                print(f"  {cosines[index, best]:.3f} {row.id} ~ {everything[best].id}")

    paraphrases(pair_rows, pair_cosines, chosen, show=True)

    grouped = [pairs(dev, dev_vectors, t) for t in THRESHOLDS]
    table("backlog groups, pairs of the development split", grouped)
    group_at = next(s for s in grouped if s.wrong == 0)
    print(
        f"\nGROUP_MIN_COSINE = {group_at.threshold:.2f}: pair precision "
        f"{group_at.precision:.3f}, recall {group_at.recall:.3f}"
    )
    paraphrases(pair_rows, pair_cosines, group_at.threshold, show=False)
    return 0


def paraphrases(
    pair_rows: list[dict[str, object]], cosines: Vectors, at: float, *, show: bool
) -> None:
    """The paraphrase pairs decided at ``at``: a same-need pair should match, a near miss not."""
    print(f"\nparaphrase pairs at {at:.2f} ({len(pair_rows)}):")
    right = 0
    for pair, cosine in zip(pair_rows, cosines, strict=True):
        served_it = bool(cosine >= at)
        ok = served_it == pair["same_need"]
        right += ok
        need = "same need" if pair["same_need"] else "other need"
        verdict = "served" if served_it else "not served"
        if show:
            print(
                f"  {'ok ' if ok else 'BAD'} {cosine:.3f} {need:10s} {verdict:10s} {pair['asked']}"
            )
    same = [c for p, c in zip(pair_rows, cosines, strict=True) if p["same_need"]]
    other = [c for p, c in zip(pair_rows, cosines, strict=True) if not p["same_need"]]
    print(
        f"  {right}/{len(pair_rows)} as expected; same need matched {sum(c >= at for c in same)}"
        f"/{len(same)}, other need matched {sum(c >= at for c in other)}/{len(other)}"
    )


if __name__ == "__main__":
    sys.exit(main())
