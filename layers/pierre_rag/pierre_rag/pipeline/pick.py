"""Which retrieved section an extractive answer quotes: the one that answers the question.

The search ranks sections by closeness to the whole message; the section that answers is
often a neighbour whose heading asks the tenant's question ("Quelle est la durée du préavis ?"
for "combien de temps je dois prévenir"). A small linear score over four signals picks it
among the first few sections: the search's rank, the question's words in the heading, the
question's intent (how long, who, how…) in the heading, and the question's words in the text.
The weights are chosen by k-fold cross-validation over the bench (``infra/answer_cv.py``); a
signal whose weight is 0 did not help out of fold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pierre_rag.knowledge.text import query_words, stem_all, tokens

# What a question asks, by its interrogative words, and the heading words that answer it.
# From how French asks, not from any bench line: "combien de temps" is a duration, "qui" a
# person, "est-ce que je peux" a right.
_INTENTS: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
    (
        frozenset({"combien", "delai", "duree", "temps", "longtemps", "montant", "prix", "cout"}),
        frozenset({"combien", "delai", "duree", "montant", "prix", "cout", "temps"}),
    ),
    (frozenset({"quand", "date", "moment"}), frozenset({"quand", "date", "moment", "depart"})),
    (frozenset({"qui"}), frozenset({"qui"})),
    (frozenset({"comment", "demarche", "demarches"}), frozenset({"comment", "demarche", "etapes"})),
    (frozenset({"pourquoi"}), frozenset({"pourquoi"})),
    (frozenset({"ou", "adresse", "horaires"}), frozenset({"ou", "adresse", "horaires"})),
    (
        frozenset({"peux", "peut", "puis", "droit", "oblige", "obligatoire", "dois", "doit"}),
        frozenset({"peux", "peut", "puis", "droit", "oblige", "obligatoire", "dois", "doit"}),
    ),
    (frozenset({"passe", "si"}), frozenset({"passe", "si"})),
)


@dataclass(frozen=True)
class PickWeights:
    """The score's weights and how many of the search's sections compete."""

    rank: float = 1.0
    heading: float = 0.0
    intent: float = 0.0
    coverage: float = 0.0
    candidates: int = 3

    @property
    def reorders(self) -> bool:
        """Whether a signal other than the search's rank counts: if not, the first
        candidate wins and no signal needs computing."""
        return bool(self.heading or self.intent or self.coverage)


# Chosen by infra/answer_cv.py (5 folds over the dev file, topic_turns and the project's
# questions, 2026-11-30): no signal beat the search's order out of fold (0.512 with the
# search's order alone, 0.499 with all three), so each is kept at 0 until one does. Two more
# were tried and left out for the same reason: the dense cosine of the section's best chunk
# and of its heading to the question (0.510 with all five, 0.518 without the heading's).
WEIGHTS = PickWeights()


@dataclass(frozen=True)
class Signals:
    """What the score reads of one candidate section (each in [0, 1])."""

    rank: float  # 1 for the search's first section, 1/2 for the second…
    heading: float  # share of the question's word stems in the section's headings
    intent: float  # 1 when a heading answers the kind of question asked
    coverage: float  # share of the question's word stems in the section's text


def question_stems(question: str) -> frozenset[str]:
    """The question's meaningful words, stemmed (abbreviations expanded, stopwords out)."""
    return frozenset(stem_all(query_words(question)))


def intent_cues(question: str) -> frozenset[str]:
    """The heading words that would answer the kind of question asked."""
    words = set(tokens(question))
    cues: set[str] = set()
    for asked, answered in _INTENTS:
        if words & asked:
            cues |= answered
    return frozenset(cues)


def signals(question: str, headings: Sequence[str], text: str, rank: int) -> Signals:
    """The signals of a section at ``rank`` (0 first) with ``headings`` (its title first)."""
    wanted = question_stems(question)
    heading_words = tokens(headings[-1]) if headings else []
    heading_stems = set(stem_all(heading_words))
    text_stems = set(stem_all(tokens(text)))
    cues = intent_cues(question)
    return Signals(
        rank=1.0 / (1 + rank),
        heading=len(wanted & heading_stems) / len(wanted) if wanted else 0.0,
        intent=1.0 if cues & set(tokens(headings[-1] if headings else "")) else 0.0,
        coverage=len(wanted & text_stems) / len(wanted) if wanted else 0.0,
    )


def score(found: Signals, weights: PickWeights) -> float:
    return (
        weights.rank * found.rank
        + weights.heading * found.heading
        + weights.intent * found.intent
        + weights.coverage * found.coverage
    )


def best(candidates: Sequence[Signals], weights: PickWeights = WEIGHTS) -> int:
    """The index of the best-scored candidate among the first ``weights.candidates``
    (the search's order breaks ties)."""
    pool = candidates[: max(weights.candidates, 1)]
    return max(range(len(pool)), key=lambda i: (score(pool[i], weights), -i))
