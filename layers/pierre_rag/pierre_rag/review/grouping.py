"""Similar questions together: greedy grouping on the search's own embeddings.

Questions are taken newest first; each joins the group whose centroid it is closest to when
that cosine reaches the threshold, else starts a group. The threshold is measured with
``infra/bench_validated.py`` on the bench files (pairs of questions with the same expected
section against pairs of different ones; docs/admin.md): grouping may be looser than serving
a validated answer, since staff read every group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from pierre_rag.knowledge.embeddings import Vectors, normalise
from pierre_rag.review.backlog import BacklogItem, Reason

# Measured by infra/bench_validated.py (docs/admin.md, "À améliorer").
GROUP_MIN_COSINE = 0.65


@dataclass
class BacklogGroup:
    items: list[BacklogItem] = field(default_factory=list)
    representative: BacklogItem | None = None

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def last_ms(self) -> int:
        return max(item.asked_ms for item in self.items)

    @property
    def reasons(self) -> Counter[Reason]:
        return Counter(reason for item in self.items for reason in item.reasons)

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self.items]


def group_questions(
    items: Sequence[BacklogItem], vectors: Vectors, threshold: float = GROUP_MIN_COSINE
) -> list[BacklogGroup]:
    """``items`` (``vectors`` their questions' unit embeddings, row by row) grouped; the
    groups most asked first, then the most recent. Each group's representative is its
    question closest to the group's centroid."""
    order = sorted(range(len(items)), key=lambda i: (-items[i].asked_ms, items[i].key))
    members: list[list[int]] = []
    sums: list[np.ndarray] = []
    for index in order:
        vector = vectors[index]
        best, best_cosine = -1, threshold
        for group, total in enumerate(sums):
            cosine = float(normalise(total)[0] @ vector)
            if cosine >= best_cosine:
                best, best_cosine = group, cosine
        if best < 0:
            members.append([index])
            sums.append(vector.astype(np.float64).copy())
        else:
            members[best].append(index)
            sums[best] += vector
    groups = []
    for indices, total in zip(members, sums, strict=True):
        centre = normalise(total)[0]
        closest = max(indices, key=lambda i: float(vectors[i] @ centre))
        groups.append(
            BacklogGroup(items=[items[i] for i in indices], representative=items[closest])
        )
    groups.sort(key=lambda group: (-group.count, -group.last_ms))
    return groups
