"""Exact-name look-up for big lists and tables (e.g. commune → zone).

Dense retrieval cannot find one commune among thousands; this index maps the folded first
field of each list item / table row of a long list to the chunk that holds it.
"""

from __future__ import annotations

import re

from pierre_rag.knowledge.text import stopwords, tokens

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.+)$")
_FIRST_FIELD = re.compile(r"^\**(.+?)\**\s*(?:\(|:|–|—|\s-\s|,|$)")
MIN_ROWS = 8
MAX_NAME_WORDS = 6


def _row_names(lines: list[str]) -> list[str]:
    names = []
    for line in lines:
        cell = None
        if line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            cell = cells[0] if cells and not set(cells[0]) <= set("-: ") else None
        elif match := _LIST_ITEM.match(line):
            field = _FIRST_FIELD.match(match.group(1))
            cell = field.group(1) if field else None
        if cell:
            names.append(cell)
    return names


def extract_names(text: str) -> list[str]:
    """Folded names of the rows of ``text`` when it is mostly a long list or table."""
    lines = [line for line in text.splitlines() if line.strip()]
    raw = _row_names(lines)
    if len(raw) < MIN_ROWS:
        return []
    out: dict[str, None] = {}
    for name in raw:
        words = tokens(name)
        if 0 < len(words) <= MAX_NAME_WORDS and any(len(w) > 2 for w in words):
            out[" ".join(words)] = None
    return list(out)


def query_ngrams(text: str, max_words: int = MAX_NAME_WORDS) -> list[str]:
    """Candidate names in a query: word n-grams that do not start or end with a stopword."""
    words = tokens(text)
    stop = stopwords()
    grams: dict[str, None] = {}
    for size in range(1, max_words + 1):
        for start in range(len(words) - size + 1):
            gram = words[start : start + size]
            if gram[0] in stop or gram[-1] in stop or (size == 1 and len(gram[0]) < 4):
                continue
            grams[" ".join(gram)] = None
    return list(grams)
