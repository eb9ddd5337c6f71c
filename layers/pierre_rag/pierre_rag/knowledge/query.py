"""Query analysis: how tenants write → an FTS5 expression, a dense text and fusion hints.

Handles missing accents (folding), SMS abbreviations (data/abbreviations.yaml), colloquial
phrases (data/phrases.yaml), stopwords,
single typos (one edit away from a word of the index) and measures how many query words the
index knows at all: a cross-lingual question matches few, and BM25 then gets little weight.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from pierre_rag.knowledge.acronyms import CAPITALS as _CAPITALS
from pierre_rag.knowledge.acronyms import Acronym, spelled_out
from pierre_rag.knowledge.acronyms import named as named_acronyms
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.names import query_ngrams
from pierre_rag.knowledge.places import PlaceExpansion
from pierre_rag.knowledge.text import (
    QueryVocabulary,
    default_vocabulary,
    fold,
    glossed,
    normalise_query,
    phrase_expansions,
    script_words,
    stem_all,
    stopwords,
    tokens,
)

_ALPHABET = string.ascii_lowercase
MIN_TYPO_LEN = 6
MIN_COMPOUND_PART = 3  # "locapass" → loca + pass; shorter parts ("de", "la") cut anything
MIN_TYPO_DF = 1  # the prose vocabulary excludes name lists, so any known word is a fair fix
FRENCH_COVERAGE = 0.6  # below this the query is probably not French: no spelling fixes
# Forms of the commonest French verbs, accent-folded, that the index's prose may never write
# ("vont", "vais"): they say nothing of the subject but that the question is French, so they
# count for the language, never for the search. "ils vont m'expulser ?" was judged foreign
# (one known word in two) and its one precise word left out of BM25. Not the forms other
# languages write too: "es", "va", "vas", "as", "ai", "sera", "ira", "aura".
_FRENCH_VERB_FORMS = frozenset(
    """
    vais allons allez vont irai iront irais irait
    suis sommes etes sont serai seront serais serait
    avons avez ont aurai auront aurais aurait
    peux peut pouvons pouvez peuvent pourrai pourra pourrais pourrait
    veux veut voulons voulez veulent voudrais voudrait
    dois doit devons devez doivent devrai devra devrais devrait
    fais fait faisons faites font ferai fera ferais ferait
    sais sait savons savez savent saurai saura
    """.split()
)
_WORD = re.compile(r"[^\W_]+")
# The first word of a hyphenated compound ("chauffe-eau", "lave-linge"): it names part of
# another thing, so the abbreviation meant for it alone ("chauffe" → chauffage) is not added.
_COMPOUND_HEAD = re.compile(r"([^\W_]+)-(?=[^\W_])")
_QUOTED = re.compile(r"[(«\"'“]([^()«»\"'“”]{2,80})[)»\"'”]")
_SENTENCE = re.compile(r"[.!?¿¡:;\n]+")


@dataclass(frozen=True)
class QueryPlan:
    text: str
    dense_text: str
    words: list[str]
    stems: list[str]
    coverage: float
    grams: list[str]
    # Stems of the question's own words the index knows, two by two as written ("perdu mes
    # clés" → (perdu, cle)): the proximity list finds them close together in a section.
    pairs: tuple[tuple[str, str], ...] = ()
    # The acronyms the knowledge defines that the question names or writes out (searched in
    # their other form), and every one it names, however common ("sls", "hlm")
    acronyms: tuple[Acronym, ...] = ()
    defined: tuple[str, ...] = ()

    def proximity_match(self, window: int) -> str:
        """FTS5 expression: any pair within ``window`` words of each other, in the stemmed
        columns (a heading and a body are apart)."""
        if not self.pairs:
            return ""
        near = " OR ".join(f'NEAR("{a}" "{b}", {window})' for a, b in self.pairs)
        return f"{{head_stem body_stem}} : ({near})"

    @property
    def french(self) -> bool:
        """Most words are known to the (French) index."""
        return self.coverage >= FRENCH_COVERAGE

    @property
    def match(self) -> str:
        """FTS5 expression: any raw word in raw columns, or any stem in stemmed columns."""
        if not self.words:
            return ""
        raw = " OR ".join(f'"{w}"' for w in self.words)
        stems = " OR ".join(f'"{s}"' for s in dict.fromkeys(self.stems))
        return f"{{head body}} : ({raw}) OR {{head_stem body_stem}} : ({stems})"


def edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return (deletes | transposes | replaces | inserts) - {word}


def plan_query(
    datastore: Datastore,
    text: str,
    vocabulary: QueryVocabulary | None = None,
    places: PlaceExpansion | None = None,
    *,
    compounds: bool = True,
    glossary: bool = True,
    acronym_max_share: float = 0.0,
) -> QueryPlan:
    """``vocabulary``: the tables of how tenants write (default: the shipped ones);
    ``places``: add the département and région of the places named (None: off);
    ``compounds``: cut an unknown word into two the index writes side by side;
    ``glossary``: a question in another language also searches the French words its tenant
    words stand for (data/glossary.yaml); ``acronym_max_share``: an acronym the knowledge
    defines, written in at most that share of the chunks, also searches its words, and its
    words written out search the acronym (0: off)."""
    stop = stopwords()
    vocabulary = vocabulary or default_vocabulary()
    table = vocabulary.abbreviations
    original = [
        w for w in dict.fromkeys(tokens(text)) if w not in stop and (len(w) > 1 or w.isdigit())
    ]
    stems = dict(zip(original, stem_all(original), strict=True))
    known_stems = datastore.doc_freqs("stem", list(set(stems.values())))
    known_words = datastore.doc_freqs("word", original)
    words: dict[str, None] = {}
    unknown: list[str] = []
    indexed: list[str] = []  # the stems of the words the index knows, in the question's order
    known = 0
    heads = set(_COMPOUND_HEAD.findall(fold(text)))
    for word in original:
        expansion = [w for w in table.get(word, ()) if w not in stop and word not in heads]
        if word in known_words or stems[word] in known_stems:
            known += 1
            words[word] = None
            indexed.append(stems[word])
        elif expansion or word in _FRENCH_VERB_FORMS:
            known += 1
        elif word.isdigit():
            words[word] = None
        else:
            unknown.append(word)
        words.update(dict.fromkeys(expansion))
    # colloquial phrases ("rendre les clés", "passer en premier"): their terms go to BM25 and
    # are appended to the dense text (appending measured better than leaving it raw)
    extra = [w for w in phrase_expansions(text, vocabulary) if w not in stop]
    words.update(dict.fromkeys(extra))
    grams = query_ngrams(text)
    named = {w for gram in datastore.known_names(grams) for w in gram.split()}
    # "locapass", "mobilijeune": known words run together, before the language is judged
    cut = {word: _compound_parts(datastore, word) for word in unknown} if compounds else {}
    compound_parts = {word: parts for word, parts in cut.items() if parts}
    for parts in compound_parts.values():
        words.update(dict.fromkeys(parts))
    known += len(compound_parts)
    unknown = [word for word in unknown if word not in compound_parts]
    # An Arabic or Cyrillic word counts as one the index does not know: "HLM" alone in an
    # Arabic question does not make it French
    in_script = script_words(text)
    counted = len(original) + len(in_script)
    french = bool(original) and known / counted >= FRENCH_COVERAGE
    for word in unknown:
        fixed = _correct(datastore, word) if french and len(word) >= MIN_TYPO_LEN else None
        if fixed:
            known += 1
            words[fixed] = None
        elif word in named:  # a commune or agency name: only the names index knows it
            words[word] = None
    # "pli", "prêt à taux zéro": the acronyms the knowledge defines, in their other form; in
    # another language only those written in capitals ("SLS", not German "als")
    defined = named_acronyms(_as_acronyms(text, original, french), text, datastore.acronyms)
    acronyms = _acronyms(
        datastore, defined, original, known_words, acronym_max_share, french=french
    )
    acronym_terms = [
        word
        for acronym in acronyms
        for word in (acronym.letters, *acronym.words)
        if word not in stop and word not in original
    ]
    acronym_terms = list(dict.fromkeys(acronym_terms))
    words.update(dict.fromkeys(acronym_terms))
    # "à Condom", "dans le 93": the local files name the département and the région
    place_terms = places.terms(text) if places else []
    words.update(dict.fromkeys(place_terms))
    final = list(words)
    if not french:
        # In another language, a word the French index happens to know ("the", "in",
        # "para", "grande") is noise for BM25; what the writer marks as a French term or a
        # name (acronyms, capitalised names, words in parentheses or quotes) is precise; in
        # an Arabic or Cyrillic question, so is every word written in Latin letters.
        keep = set(named) | set(place_terms)
        keep.update(acronym_terms)
        for word in [*marked_words(text), *(original if in_script else ())]:
            keep.add(word)
            keep.update(table.get(word, ()))
            keep.update(compound_parts.get(word, ()))
        final = [w for w in final if w in keep]
        if glossary:
            # BM25 only: appended to the dense text too, they cost other languages R@1 0.648
            # → 0.630 out of fold (docs/retrieval.md)
            final += [w for w in glossed(text) if w not in stop and w not in final]
    coverage = known / counted if counted else 0.0
    return QueryPlan(
        text=text,
        dense_text=" ".join([normalise_query(text, vocabulary), *extra, *acronym_terms]),
        words=final,
        stems=stem_all(final),
        coverage=coverage,
        grams=grams,
        pairs=_pairs(indexed) if french else (),
        acronyms=tuple(acronyms),
        defined=tuple(acronym.letters for acronym in defined),
    )


def _acronyms(
    datastore: Datastore,
    named: Sequence[Acronym],
    words: Sequence[str],
    frequencies: Mapping[str, int],
    max_share: float,
    *,
    french: bool,
) -> list[Acronym]:
    """The ``named`` acronyms to search in their other form, and those ``words`` write out.
    A common acronym ("hlm" in "mon hlm") is left alone: it stands for the home, not the
    term."""
    if max_share <= 0 or not datastore.acronyms:
        return []
    most = max_share * datastore.chunk_count()
    found = [acronym for acronym in named if frequencies.get(acronym.letters, 0) <= most]
    if french:
        found += spelled_out(words, datastore.acronyms)
    return list(dict.fromkeys(found))


def _as_acronyms(text: str, words: Sequence[str], french: bool) -> list[str]:
    """The ``words`` that may be acronyms: all in a French question, in another language only
    those written in capitals ("SLS", not German "als")."""
    if french:
        return list(words)
    capitals = set(tokens(" ".join(_CAPITALS.findall(text))))
    return [word for word in words if word in capitals]


def _pairs(stems: list[str]) -> tuple[tuple[str, str], ...]:
    """Consecutive stems, each pair once, none of a stem with itself."""
    pairs = [(a, b) for a, b in pairwise(stems) if a != b]
    return tuple(dict.fromkeys(pairs))


def marked_words(text: str) -> set[str]:
    """Folded tokens of acronyms, capitalised names (not first in a sentence) and of text in
    parentheses or quotes: the French terms and names in a question written in another language.
    """
    marked: set[str] = set()
    for quoted in _QUOTED.findall(text):
        marked.update(tokens(quoted))
    for sentence in _SENTENCE.split(text):
        for i, word in enumerate(_WORD.findall(sentence)):
            if (len(word) >= 2 and word.isupper()) or (i > 0 and word[:1].isupper()):
                marked.update(tokens(word))
    return marked


def _compound_parts(datastore: Datastore, word: str) -> tuple[str, str] | None:
    """The two index words a word the index does not know runs together, when the index
    writes them side by side: "locapass" for LOCA-PASS, "mobilijeune" for Mobili-Jeune.
    Of several cuts, the one the index writes together most often."""
    cuts = [
        (word[:at], word[at:]) for at in range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1)
    ]
    if not cuts:
        return None
    known = datastore.doc_freqs("word", sorted({part for cut in cuts for part in cut}))
    counted = [
        (datastore.side_by_side(first, second), (first, second))
        for first, second in cuts
        if first in known and second in known
    ]
    best = max(counted, default=(0, None))
    return best[1] if best[0] > 0 else None


def _correct(datastore: Datastore, word: str) -> str | None:
    """The most frequent index word one edit away from ``word``, if any."""
    found = datastore.doc_freqs("word", sorted(edits1(word)))
    candidates = {w: df for w, df in found.items() if df >= MIN_TYPO_DF}
    if not candidates:
        return None
    return max(candidates.items(), key=lambda item: (item[1], item[0]))[0]
