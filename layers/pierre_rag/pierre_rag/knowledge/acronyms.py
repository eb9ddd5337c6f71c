"""Acronyms the knowledge defines itself: "prêt locatif intermédiaire (PLI)".

A tenant writes "les logements pli c quel plafond ?" or "prêt à taux zéro" where the article is
titled "PTZ", and the file that explains the acronym loses to files that only mention it. The
knowledge spells most of its acronyms out once: words, then the acronym in parentheses, their
initials in order. The build reads those definitions from every chunk (no table typed by hand;
a landlord's own acronyms come with its files) and stores them in the datastore; a query naming
either form also searches the other (``query.plan_query``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pierre_rag.knowledge.text import fold, stopwords, tokens

_PARENTHESISED = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)")
_LOWER_WORD = re.compile(r"\b[a-zà-ÿ]{3,8}\b")
CAPITALS = re.compile(r"\b[A-Z]{3,8}\b")  # an acronym as written
_BEFORE_CHARS = 160  # what precedes "(PLI)" and may spell it: ten words at most
_BEFORE_WORDS = 10
MIN_LETTERS = 3  # "CA", "AL", "QP": too close to words and elisions ("ça", "al")
# Small words an acronym may spell ("Droit Au Logement Opposable") or skip ("prêt à taux zéro")
_LINKING = frozenset("a au aux d de des du en et l la le les pour sur par".split())


@dataclass(frozen=True)
class Acronym:
    """An acronym, the words it stands for, and whether the prose writes it as a word too."""

    letters: str  # folded: "pli"
    words: tuple[str, ...]  # folded content words of the expansion: ("pret", "locatif", …)
    also_a_word: bool  # the prose writes it in lower case ("cite" for "cité"): capitals only


def definitions(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The (acronym, expansion words) that ``text`` defines, both folded."""
    found = []
    for match in _PARENTHESISED.finditer(text):
        acronym = match.group(1)
        capitals = [c for c in acronym if c.isupper()]
        if len(capitals) < MIN_LETTERS:
            continue
        before = tokens(text[max(0, match.start() - _BEFORE_CHARS) : match.start()])
        expansion = spelled(before[-_BEFORE_WORDS:], "".join(capitals).lower())
        if expansion:
            found.append(("".join(capitals).lower(), expansion))
    return found


def spelled(words: Sequence[str], letters: str) -> tuple[str, ...] | None:
    """The content words of the last ``words`` whose initials spell ``letters``, or None.

    Each content word gives its letter; a linking word ("de", "au") is skipped, or gives its
    letter when the acronym needs it ("Droit Au Logement Opposable"); the span opens on a
    content word, and at least two are needed."""

    def start(i: int, li: int) -> int | None:
        if li < 0:
            return i + 1
        if i < 0:
            return None
        word = words[i]
        if word in _LINKING:
            skipped = start(i - 1, li)
            if skipped is not None:
                return skipped
        return start(i - 1, li - 1) if word[:1] == letters[li] else None

    first = start(len(words) - 1, len(letters) - 1)
    if first is None:
        return None
    stop = stopwords()
    content = tuple(w for w in words[first:] if w not in _LINKING and w not in stop)
    return content if len(content) >= 2 else None


def collect(texts: Iterable[str]) -> dict[str, Acronym]:
    """Every acronym ``texts`` define, with its most frequent expansion.

    An acronym is also a word when the prose writes it in lower case at least as often as in
    capitals: "ces" and "plus" are words, "elan" (ELAN 9 times, "élan" 3) and "fsl" (in link
    addresses) are not, so "la loi elan" names the law."""
    expansions: dict[str, Counter[tuple[str, ...]]] = {}
    lower: Counter[str] = Counter()
    capitals: Counter[str] = Counter()
    for text in texts:
        for letters, words in definitions(text):
            expansions.setdefault(letters, Counter())[words] += 1
        lower.update(fold(word) for word in _LOWER_WORD.findall(text))
        capitals.update(fold(word) for word in CAPITALS.findall(text))
    return {
        letters: Acronym(
            letters,
            counts.most_common(1)[0][0],
            lower[letters] > 0 and lower[letters] >= capitals[letters],
        )
        for letters, counts in sorted(expansions.items())
    }


def named(words: Sequence[str], written: str, acronyms: Mapping[str, Acronym]) -> list[Acronym]:
    """The acronyms among ``words`` (folded tokens of ``written``): one the prose also writes
    as a word counts only in capitals ("CITE", not "cité")."""
    capitals = {fold(word) for word in CAPITALS.findall(written)}
    found: list[Acronym] = []
    for word in words:
        acronym = acronyms.get(word)
        if acronym is not None and (not acronym.also_a_word or word in capitals):
            found.append(acronym)
    return found


def spelled_out(words: Sequence[str], acronyms: Mapping[str, Acronym]) -> list[Acronym]:
    """The acronyms whose expansion ``words`` (folded, stopwords out, in order) write out:
    "prêt à taux zéro" → PTZ."""
    joined = f" {' '.join(words)} "
    return [a for a in acronyms.values() if f" {' '.join(a.words)} " in joined]
