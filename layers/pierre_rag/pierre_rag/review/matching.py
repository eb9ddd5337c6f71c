"""Which validated answer a new question is close enough to, if any.

The question and every validated question of the landlord are embedded with the search's
own embedder (unit vectors: cosine is a dot product); the closest one is served when its
cosine reaches :data:`VALIDATED_MIN_COSINE`. The threshold is measured with
``infra/bench_validated.py`` on the bench files: the lowest at which no question is matched
to a validated question of another need (precision 1.0), see docs/admin.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from pierre_rag.knowledge.embeddings import Embedder, Vectors
from pierre_rag.review.validated import ValidatedAnswer

# Measured by infra/bench_validated.py (docs/admin.md, "Réponses validées").
VALIDATED_MIN_COSINE = 0.87
# Embeddings of validated questions kept per process (question text → vector).
MAX_CACHED_VECTORS = 5000


class ValidatedAnswerSource(Protocol):
    def of_landlord(self, landlord: str) -> list[ValidatedAnswer]: ...


@dataclass(frozen=True)
class ValidatedMatch:
    answer: ValidatedAnswer
    cosine: float


def best_match(
    question: Vectors, candidates: Sequence[ValidatedAnswer], vectors: Vectors, threshold: float
) -> ValidatedMatch | None:
    """The candidate whose vector is closest to ``question``'s, if it reaches ``threshold``."""
    if not candidates:
        return None
    cosines = vectors @ question[0]
    best = int(np.argmax(cosines))
    cosine = float(cosines[best])
    return ValidatedMatch(candidates[best], cosine) if cosine >= threshold else None


class ValidatedAnswers:
    """A landlord's validated answers, matched against new questions.

    The answers are read at every turn (one Query of the landlord's partition: one validated
    is served at once, one deleted stops at once, in every container); the embeddings of
    their questions are kept, so a turn embeds its own question and nothing else."""

    def __init__(
        self,
        source: ValidatedAnswerSource,
        embedder: Callable[[], Embedder],
        *,
        threshold: float = VALIDATED_MIN_COSINE,
    ) -> None:
        self.source = source
        self.embedder = embedder
        self.threshold = threshold
        self._vectors: dict[str, Vectors] = {}
        self._lock = threading.Lock()

    def _vectors_of(self, questions: Sequence[str]) -> Vectors:
        wanted = list(dict.fromkeys(questions))
        with self._lock:
            if len(self._vectors) + len(wanted) > MAX_CACHED_VECTORS:
                self._vectors.clear()
            known = {q: self._vectors[q] for q in wanted if q in self._vectors}
        missing = [q for q in wanted if q not in known]
        if missing:
            embedded = dict(zip(missing, self.embedder().embed(missing), strict=True))
            with self._lock:
                self._vectors.update(embedded)
            known.update(embedded)
        return np.stack([known[q] for q in questions])

    def match(self, landlord: str, question: str, language: str) -> ValidatedMatch | None:
        """The landlord's validated answer in ``language`` for ``question``, None when none
        is close enough."""
        answers = [
            answer
            for answer in self.source.of_landlord(landlord)
            if answer.landlord == landlord and answer.language == language
        ]
        if not answers or not question.strip():
            return None
        vectors = self._vectors_of([answer.question for answer in answers])
        asked = self.embedder().embed([question])
        return best_match(asked, answers, vectors, self.threshold)
