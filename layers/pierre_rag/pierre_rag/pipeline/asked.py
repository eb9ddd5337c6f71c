"""What kind of question a message asks (when, how much, who, why, how), and the section of
the picked article whose heading asks that kind when the picked one's asks another.

The search ranks sections by closeness to the whole message, and an article's sections share
most of their words: "quand vais-je récupérer mon dépôt de garantie ?" found "Combien vais-je
payer de dépôt de garantie ?" first, while the same article's "Quand mon dépôt de garantie
doit-il m'être rendu ?" asks what the tenant asks. The kinds come from how questions are asked
in the answer languages, not from any bench line; a message or a heading that asks two kinds,
or none, changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pierre_rag.knowledge.text import fold
from pierre_rag.pipeline.models import Source

# On folded text (lower case, no accents). "Combien de temps" is a duration, not an amount:
# the time phrases are read, then removed before the others. "quand" and its translations
# ask only where a question or a clause opens with them, before "est-ce", or at the end:
# "je complète quand elle arrive ?" asks whether, not when.
_TIME = re.compile(
    r"\b(?:combien de temps|dans combien|delais?|duree|a quel moment|how long|cuanto tiempo"
    r"|quanto tempo|wie lange)\b"
    r"|(?:^|[?.!,;:¿¡] ?)(?:et |mais |alors |donc |a partir de |jusqu a |depuis )?"
    r"(?:quand|when|cuando|quando|wann)\b"
    r"|\b(?:quand|when|cuando|quando|wann) est ce\b|\b(?:quand|when|cuando|quando|wann) ?\?*$"
)
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("amount", re.compile(r"\b(?:combien|montant|prix|cout|how much|cuanto|quanto|wie viel)\b")),
    # "qui" opening the question or after a preposition: not the relative "un voisin qui…".
    (
        "who",
        re.compile(
            r"(?:^|[?.!] )(?:et |mais )?qui\b|\b(?:a|par|pour|avec|chez) qui\b"
            r"|\bwho\b|\bquien\b|\bquem\b|\bwer\b"
        ),
    ),
    ("why", re.compile(r"\b(?:pourquoi|why|por que|perche|warum)\b")),
    ("how", re.compile(r"\b(?:comment|how(?! much| many)|como|come si|wie(?! viel))\b")),
)


def asked_kind(text: str) -> str | None:
    """The one kind of question ``text`` asks, or None when it asks none or several."""
    folded = " ".join(re.sub(r"['’\-]", " ", fold(text)).split())
    kinds = {"time"} if _TIME.search(folded) else set()
    rest = _TIME.sub(" ", folded)
    kinds |= {kind for kind, pattern in _KINDS if pattern.search(rest)}
    return kinds.pop() if len(kinds) == 1 else None


def same_kind_section(
    question: str, sources: Sequence[Source], order: Sequence[int], first: int
) -> int | None:
    """The first section (of ``order``'s) of ``first``'s article whose heading asks the kind
    of question asked, when ``first``'s heading asks another kind; None otherwise."""
    asked = asked_kind(question)
    picked = sources[first]
    answered = asked_kind(picked.heading)
    if asked is None or answered is None or answered == asked:
        return None
    return next(
        (
            index
            for index in order
            if index != first
            and sources[index].file == picked.file
            and asked_kind(sources[index].heading) == asked
        ),
        None,
    )
