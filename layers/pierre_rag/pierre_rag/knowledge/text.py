"""Text normalisation shared by indexing and querying: accent folding, tokens, stems.

Documents and queries go through the same ``fold`` → ``tokens`` → ``stem`` path, so a query
typed without accents ("preavis") meets the indexed form of "préavis".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import Stemmer

from pierre_rag import yaml_text

_TOKEN = re.compile(r"[a-z0-9]+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
# Arabic and Cyrillic words, which ``tokens`` leaves out; the glossary reads them by stem.
_SCRIPT_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+|[\u0400-\u04ff]+")
_TATWEEL = "\u0640"
# Arabic clitics written onto the word: "and", "with", "for", "as", "the" and their pairs
_ARABIC_CLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
# A glossary key in Arabic or Cyrillic letters is a stem: read at the start of a word, this long
# at least
_MIN_STEM = 3


def fold(text: str) -> str:
    """Lowercase and strip diacritics ("Préavis" → "preavis")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def word_count(text: str) -> int:
    """The words of ``text`` as a reader counts them: "c'est" is one, a "?" set apart by a
    space (as French writes it) none."""
    return sum(1 for piece in text.split() if any(c.isalnum() for c in piece))


def tokens(text: str) -> list[str]:
    """Accent-folded alphanumeric tokens; elisions (l', d', qu') become their own tokens."""
    return _TOKEN.findall(fold(text))


@functools.cache
def stopwords() -> frozenset[str]:
    raw = resources.files(__package__).joinpath("data/stopwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")
    )


def _data_table(name: str) -> dict[str, str]:
    """A ``key: value`` table of ``data/<name>``, both sides as text."""
    raw = resources.files(__package__).joinpath(f"data/{name}").read_text("utf-8")
    table = yaml_text.safe_load(raw) or {}
    return {str(key): str(value) for key, value in table.items()}


@dataclass(frozen=True, eq=False)
class Phrase:
    """A colloquial phrase of data/phrases.yaml: its key as written, its stems, its expansion."""

    key: str
    stems: tuple[str, ...]
    expansion: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class QueryVocabulary:
    """The tables that map how tenants write to the words the knowledge uses: single words
    (data/abbreviations.yaml) and phrases (data/phrases.yaml). Search takes one, so that a
    variant without some entries can be measured (infra/retrieval_cv.py)."""

    abbreviations: Mapping[str, tuple[str, ...]]
    phrases: tuple[Phrase, ...]

    def without(self, keys: Collection[str]) -> QueryVocabulary:
        """This vocabulary minus the entries whose key (as written in the tables) is in ``keys``."""
        dropped = {fold(key) for key in keys}
        return QueryVocabulary(
            abbreviations={k: v for k, v in self.abbreviations.items() if k not in dropped},
            phrases=tuple(p for p in self.phrases if fold(p.key) not in dropped),
        )


EMPTY_VOCABULARY = QueryVocabulary(abbreviations={}, phrases=())


@functools.cache
def default_vocabulary() -> QueryVocabulary:
    """The shipped tables."""
    words = {
        fold(key): tuple(tokens(value)) for key, value in _data_table("abbreviations.yaml").items()
    }
    phrases = tuple(
        Phrase(key=key, stems=tuple(stem_all(tokens(key))), expansion=tuple(tokens(value)))
        for key, value in _data_table("phrases.yaml").items()
    )
    return QueryVocabulary(abbreviations=words, phrases=phrases)


@functools.cache
def glossary() -> Mapping[str, tuple[str, ...]]:
    """Tenants' words in the other answer languages (data/glossary.yaml), one or two folded
    words → the French words of the knowledge; a key two languages share gets both's. An
    Arabic or Ukrainian key is a stem (``glossed`` reads it at the start of a word)."""
    raw = resources.files(__package__).joinpath("data/glossary.yaml").read_text("utf-8")
    table: dict[str, tuple[str, ...]] = {}
    for entries in (yaml_text.safe_load(raw) or {}).values():
        for key, value in entries.items():
            folded = " ".join(tokens(str(key)) or script_words(str(key)))
            table[folded] = tuple(dict.fromkeys([*table.get(folded, ()), *tokens(str(value))]))
    return table


def script_words(text: str) -> list[str]:
    """The folded Arabic and Cyrillic words of ``text`` (vowel marks and hamza seats folded)."""
    return _SCRIPT_WORD.findall(fold(text.replace(_TATWEEL, "")))


def glossed(text: str, table: Mapping[str, tuple[str, ...]] | None = None) -> list[str]:
    """The French words ``glossary`` gives for ``text``'s words, two-word phrases first; an
    Arabic or Cyrillic word by the longest stem it begins with, its Arabic clitics cut."""
    table = glossary() if table is None else table
    words = tokens(text)
    found: dict[str, None] = {}
    at = 0
    while at < len(words):
        pair = " ".join(words[at : at + 2])
        if at + 1 < len(words) and pair in table:
            found.update(dict.fromkeys(table[pair]))
            at += 2
            continue
        found.update(dict.fromkeys(table.get(words[at], ())))
        at += 1
    for word in script_words(text):
        stem = _longest_stem(word, table)
        if stem:
            found.update(dict.fromkeys(table[stem]))
    return list(found)


def _longest_stem(word: str, table: Mapping[str, tuple[str, ...]]) -> str | None:
    """The longest key of ``table`` ``word`` begins with, the word as written or without one
    of its Arabic clitics ("والإيجار" → "ايجار")."""
    readings = [word, *(word[len(c) :] for c in _ARABIC_CLITICS if word.startswith(c))]
    best: str | None = None
    for reading in readings:
        for end in range(len(reading), _MIN_STEM - 1, -1):
            if reading[:end] in table:
                if best is None or end > len(best):
                    best = reading[:end]
                break
    return best


def abbreviations() -> Mapping[str, tuple[str, ...]]:
    """SMS abbreviations and colloquial words → folded expansion tokens."""
    return default_vocabulary().abbreviations


# words a phrase may skip between two of its words ("rendre les clés", "rendu mes clés")
PHRASE_GAP = 2


def phrase_expansions(text: str, vocabulary: QueryVocabulary | None = None) -> list[str]:
    """Expansion tokens of every phrase of the vocabulary found in ``text``: its words in
    order, by stem, with at most PHRASE_GAP other words between two of them."""
    stems = stem_all(tokens(text))
    out: dict[str, None] = {}
    for phrase in (vocabulary or default_vocabulary()).phrases:
        if _contains(stems, phrase.stems):
            out.update(dict.fromkeys(phrase.expansion))
    return list(out)


def _contains(stems: Sequence[str], key: Sequence[str]) -> bool:
    for start, stem in enumerate(stems):
        if stem != key[0]:
            continue
        pos = start
        for part in key[1:]:
            window = stems[pos + 1 : pos + 2 + PHRASE_GAP]
            if part not in window:
                break
            pos += 1 + window.index(part)
        else:
            return True
    return False


@functools.cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


def singular(word: str) -> str:
    """A folded word without its plural mark ("garants" → "garant"; "pas", "prix" kept)."""
    return word[:-1] if len(word) > 4 and word[-1] in "sx" else word


def stem_all(words: Sequence[str]) -> list[str]:
    stems: list[str] = _stemmer().stemWords(list(words))
    return stems


def index_terms(text: str) -> str:
    """Space-joined French stems of every token (what the stemmed FTS column holds)."""
    return " ".join(stem_all(tokens(text)))


def expand(words: Iterable[str], vocabulary: QueryVocabulary | None = None) -> list[str]:
    """Original tokens followed by their abbreviation expansions (order kept, no duplicates)."""
    table = (vocabulary or default_vocabulary()).abbreviations
    out: dict[str, None] = {}
    for word in words:
        out[word] = None
        for extra in table.get(word, ()):
            out[extra] = None
    return list(out)


def query_words(text: str, vocabulary: QueryVocabulary | None = None) -> list[str]:
    """Meaningful folded query words: abbreviations expanded, stopwords removed."""
    stop = stopwords()
    vocabulary = vocabulary or default_vocabulary()
    table = vocabulary.abbreviations
    # "bjr" → "bonjour": an abbreviation of stopwords is a stopword itself
    kept = [w for w in tokens(text) if not (w in table and all(x in stop for x in table[w]))]
    return [w for w in expand(kept, vocabulary) if w not in stop and (len(w) > 1 or w.isdigit())]


def normalise_query(text: str, vocabulary: QueryVocabulary | None = None) -> str:
    """The query with SMS abbreviations spelled out, for the dense encoder."""
    table = (vocabulary or default_vocabulary()).abbreviations
    words = text.split()
    out: list[str] = []
    for word in words:
        key = fold(word.strip(".,;:!?()\"'"))
        expansion = table.get(key)
        out.append(" ".join(expansion) if expansion and len(key) > 1 else word)
    return " ".join(out)


# Words of how a question is asked, not of what it is about: headings share them with questions
# on any subject ("combien", "pourquoi", "à quoi ça sert", "besoin de"), and the prose rarely
# writes some of them, so their document frequency would make them look precise.
ASKING_WORDS = """
quoi comment combien quand pourquoi ou qui quel quelle quels quelles lequel laquelle
peux peut peuvent puis pouvoir pourrais pourrait dois doit doivent devoir faut fais fait faire
font veux veut veulent vouloir voudrais sert servir dire dit sais sait savoir suis es sont etre
ai as avoir vais va vont aller moi toi lui eux temps moment chose truc besoin
""".split()


@functools.cache
def asking_stems() -> frozenset[str]:
    """The stems of :data:`ASKING_WORDS`."""
    return frozenset(stem_all(ASKING_WORDS))
