"""A follow-up that lands on the section just quoted: the part of it that names what it asks.

An extractive answer never repeats the one before it (``compose.fresh_grounding``). So a
follow-up whose best section is the one just quoted got "nothing found" or another section,
although the section goes on to name what the follow-up asks ("et du coup je serai
prioritaire ?" after an answer quoting the opening of a section on the commission's letter).
The rest starts at the first sentence that names a word of the follow-up (not a word of how it
is asked). Going on from the first paragraph not quoted, whatever it says, was measured and
not kept: it answered "et si ça continue ?" after noise at night with a sub-section on drug
dealing. When the section names it from its opening, already quoted ("et le robinet ?" after
an answer on who repairs the flush and the taps), the sentences that name it are quoted alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pierre_rag.knowledge.text import asking_stems, stem_all, tokens
from pierre_rag.pipeline.pick import question_stems

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
# A rest starting inside a list starts with that item as a sentence: a passage cannot open on
# an item longer than the words it is cut to (``passage.has_quotable_text``).
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def rest_naming(text: str, follow_up: str) -> str | None:
    """``text`` from its first sentence naming a word of ``follow_up``; None when none does,
    or when that is where ``text`` starts already."""
    lines = text.splitlines()
    first = next(_naming(lines, follow_up), None)
    if first is None:
        return None
    index, sentence = first
    line = lines[index]
    rest = "\n".join(
        [_LIST_ITEM.sub("", line[line.index(sentence) :]), *lines[index + 1 :]]
    ).strip()
    opening = "\n".join(_without_leading_headings(lines)).strip()
    return rest if rest and rest != opening else None


def sentences_naming(text: str, follow_up: str) -> str | None:
    """The sentences of ``text`` that name a word of ``follow_up``, alone and in order; None
    when none does."""
    named = [_LIST_ITEM.sub("", sentence) for _, sentence in _naming(text.splitlines(), follow_up)]
    return " ".join(named) if named else None


def _naming(lines: list[str], follow_up: str) -> Iterator[tuple[int, str]]:
    """(line index, sentence) of each sentence outside headings that names a word of
    ``follow_up`` (not a word of how it is asked), in order."""
    wanted = question_stems(follow_up) - asking_stems()
    for index, line in enumerate(lines):
        if _HEADING.match(line):
            continue
        for sentence in _SENTENCE_END.split(line.strip()):
            if sentence and wanted & set(stem_all(tokens(sentence))):
                yield index, sentence


def _without_leading_headings(lines: list[str]) -> list[str]:
    start = next(
        (i for i, line in enumerate(lines) if line.strip() and not _HEADING.match(line)), 0
    )
    return lines[start:]
