"""French places in a question → the département and région they lie in (issue #16).

A tenant writes where they live ("je suis à Condom", "dans le 93", "84000"), while the
knowledge's local files name the département and the région ("Gers (32) en région
Occitanie"). Query analysis adds those names to the lexical query.

The table (``data/places.tsv``, read by ``knowledge.gazetteer``) is built by
``infra/build_places.py`` from maintained packages, never typed by hand. Many commune names
are also French words ("Sens", "Bar", "Orange"), so a commune counts only when the question
marks it as a place: written with a capital, or right after a word that introduces a place
("à", "près de", "sur"…).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pierre_rag.knowledge.gazetteer import Department, Gazetteer
from pierre_rag.knowledge.text import stopwords, tokens

MAX_NAME_WORDS = 6
# Words after which a lowercase name is a place: "a auch", "sur avignon", "pour aubervilliers";
# "de" only after "près", "à côté", "proche" ("en ligne", "de ville", "dans la chambre" are
# not places, though Ligné, Ville and La Chambre are communes).
PLACE_CUES = frozenset("a au aux sur vers pour habite".split())
NEAR = frozenset("pres cote proche environs".split())
NUMBER_CUES = frozenset("le du dans departement dept dep".split())
_ABBREVIATED = {"st": "saint", "ste": "sainte"}
_WORD = re.compile(r"[^\W_]+|€")
MONEY = frozenset({"euros", "euro", "eur"})  # "25000 euros par an" is no postal code
_SENTENCE = re.compile(r"[.!?¿¡:;\n]+")


@dataclass(frozen=True)
class PlaceExpansion:
    """Switch for query analysis: add the names of the places a question mentions.
    ``gazetteer`` None: the shipped table; ``region``: add the région's name too."""

    gazetteer: Gazetteer | None = None
    region: bool = True

    def load(self) -> Gazetteer:
        """The table (~2 ms for the shipped one prepared, ~0.14 s parsed; a warm knowledge base
        reads it at init)."""
        return self.gazetteer or default_gazetteer()

    def terms(self, text: str) -> list[str]:
        """Folded words of the départements (and régions) that ``text`` mentions."""
        gazetteer = self.load()
        out: dict[str, None] = {}
        for department in find_departments(text, gazetteer):
            out.update(dict.fromkeys(tokens(department.name)))
            if self.region:
                out.update(dict.fromkeys(tokens(department.region)))
        stop = stopwords()
        return [w for w in out if w not in stop]


def _words(text: str) -> list[tuple[str, bool]]:
    """Folded words with whether each marks a name: capitalised, not first in a sentence
    ("Job" opens an English sentence and is a commune); "st" and "ste" spelled out. A
    participle after "a" ("a changé": Changé is a commune) is a verb, never a place."""
    out: list[tuple[str, bool]] = []
    for sentence in _SENTENCE.split(text):
        for position, match in enumerate(_WORD.finditer(sentence)):
            raw = match.group()
            for word in tokens(raw) if raw != "€" else ["euros"]:
                if out and out[-1][0] == "a" and raw.endswith(("é", "ée", "és", "ées")):
                    word = "_" + word
                out.append((_ABBREVIATED.get(word, word), position > 0 and raw[:1].isupper()))
    return out


def _cued(words: Sequence[tuple[str, bool]], start: int) -> bool:
    previous = words[start - 1][0] if start else ""
    if previous in PLACE_CUES:
        return True
    return previous in {"de", "d"} and start > 1 and words[start - 2][0] in NEAR


def find_departments(text: str, gazetteer: Gazetteer) -> list[Department]:
    """Départements named, numbered or holding a commune named in ``text``, in order."""
    words = _words(text)
    found: dict[str, None] = {}
    start = 0
    while start < len(words):
        numbers, size = _match_at(words, start, gazetteer)
        found.update(dict.fromkeys(numbers))
        start += max(size, 1)
    return [gazetteer.departments[n] for n in found if n in gazetteer.departments]


def _match_at(
    words: Sequence[tuple[str, bool]], start: int, gazetteer: Gazetteer
) -> tuple[tuple[str, ...], int]:
    """Département numbers of the place starting at ``start`` and how many words it spans."""
    previous = words[start - 1][0] if start else ""
    word, capitalised = words[start]
    if word.isdigit():
        following = words[start + 1][0] if start + 1 < len(words) else ""
        return _number(word, previous, following, gazetteer), 1
    if not capitalised and not _cued(words, start):
        return (), 0
    for size in range(min(MAX_NAME_WORDS, len(words) - start), 0, -1):
        key = " ".join(w for w, _ in words[start : start + size])
        if key in gazetteer.names:
            return gazetteer.names[key], size
    return (), 0


def _number(word: str, previous: str, following: str, gazetteer: Gazetteer) -> tuple[str, ...]:
    """A postal code ("84000", "75011") or, after "le", "du", "dans", a département number."""
    if following in MONEY:
        return ()
    if len(word) == 5:
        number = word[:3] if word.startswith("97") else word[:2]
        return (number,) if number in gazetteer.departments else ()
    if previous in NUMBER_CUES and word in gazetteer.departments:
        return (word,)
    return ()


@functools.cache
def default_gazetteer() -> Gazetteer:
    """The shipped table, from its prepared form when there is one (``knowledge.place_table``)."""
    from pierre_rag.knowledge import place_table
    from pierre_rag.settings import PathSettings

    return place_table.load(PathSettings.from_env().models_dir)
