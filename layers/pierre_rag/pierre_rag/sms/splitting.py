"""Split an answer into SMS parts: within the encoding's limits, at sentence or line ends.

Each part is sent as its own SMS, so parts of a multi-part answer carry a ``(1/3) `` marker
(parts may arrive out of order) and the marker counts against the part's limit. A part is
cut between words, preferably after a sentence or at a line break, never inside a word or a
URL — unless one word alone exceeds a part, the only case where a word is cut. Beyond
``max_parts`` the last part ends with an ellipsis and the split is marked ``truncated``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pierre_rag.sms.encoding import (
    PART_LIMIT,
    SINGLE_LIMIT,
    Encoding,
    char_cost,
    cost,
    encoding_of,
    normalise_for_sms,
)

MAX_PARTS = 8  # CM.com's maximum for one message
_WORD = re.compile(r"(\S+)(\s*)")
_SENTENCE_END = re.compile(r"[.!?:;…][\"')\]»]*$")


@dataclass(frozen=True)
class SmsSplit:
    encoding: Encoding
    parts: tuple[str, ...]
    truncated: bool = False

    @property
    def units(self) -> int:
        return sum(cost(part, self.encoding) for part in self.parts)


@dataclass(frozen=True)
class _Word:
    text: str
    sep: str  # what follows the word: "", " ", "\n" or "\n\n"

    @property
    def ends_block(self) -> bool:
        return "\n" in self.sep or bool(_SENTENCE_END.search(self.text))


def marker(index: int, total: int) -> str:
    return f"({index}/{total}) "


def _words(text: str) -> list[_Word]:
    words = []
    for match in _WORD.finditer(text):
        space = match.group(2)
        sep = (
            ("\n\n" if space.count("\n") > 1 else "\n") if "\n" in space else (" " if space else "")
        )
        words.append(_Word(match.group(1), sep))
    return words


def _render(words: list[_Word]) -> str:
    return "".join(w.text + w.sep for w in words[:-1]) + words[-1].text if words else ""


def _hard_cut(text: str, capacity: int, encoding: Encoding) -> tuple[str, str]:
    used = 0
    for index, char in enumerate(text):
        used += char_cost(char, encoding)
        if used > capacity:
            return text[:index], text[index:]
    return text, ""


def _take(words: list[_Word], start: int, capacity: int, encoding: Encoding) -> int:
    """End index (exclusive) of the next part starting at ``start``: as many words as fit,
    moved back to the last sentence or line end if that keeps at least half the part."""
    used, end, best = 0, start, -1
    while end < len(words):
        add = cost(words[end].text, encoding)
        if end > start:
            add += cost(words[end - 1].sep, encoding)
        if used + add > capacity:
            break
        used += add
        end += 1
        if words[end - 1].ends_block and used * 2 >= capacity:
            best = end
    if end < len(words) and best > start:
        return best
    return end


def _pack(words: list[_Word], capacity: int, encoding: Encoding, limit: int) -> list[list[_Word]]:
    parts: list[list[_Word]] = []
    start = 0
    while start < len(words) and len(parts) < limit:
        end = _take(words, start, capacity, encoding)
        if end == start:  # one word longer than a whole part: the only cut inside a word
            head, tail = _hard_cut(words[start].text, capacity, encoding)
            parts.append([_Word(head, "")])
            words[start] = _Word(tail, words[start].sep)
            continue
        parts.append(words[start:end])
        start = end
    if start < len(words):
        parts.append(words[start:])  # the caller sees more than `limit` parts
    return parts


def split_sms(text: str, max_parts: int = MAX_PARTS, fold_accents: bool = False) -> SmsSplit:
    """Split ``text`` (plain text) into at most ``max_parts`` SMS parts; see module doc.

    ``fold_accents``: the landlord's choice of GSM-7 parts over its letters' accents
    (:func:`~pierre_rag.sms.encoding.normalise_for_sms`)."""
    if max_parts < 1:
        raise ValueError("max_parts must be at least 1")
    text = normalise_for_sms(text, fold_accents)
    words = _words(text)
    text = _render(words)
    encoding = encoding_of(text)
    if not words:
        return SmsSplit(encoding, ())
    if cost(text, encoding) <= SINGLE_LIMIT[encoding]:
        return SmsSplit(encoding, (text,))
    capacity = PART_LIMIT[encoding] - len(marker(max_parts, max_parts))
    packed = _pack(list(words), capacity, encoding, max_parts)
    truncated = len(packed) > max_parts
    bodies = [_render(part) for part in packed[:max_parts]]
    if truncated:
        ellipsis = " ..." if encoding is Encoding.GSM7 else " …"
        rest = [w for part in packed[max_parts - 1 :] for w in part]
        last = _pack(rest, capacity - cost(ellipsis, encoding), encoding, 1)[0]
        bodies[-1] = _render(last) + ellipsis
    total = len(bodies)
    if total == 1:
        return SmsSplit(encoding, (bodies[0],), truncated)
    parts = tuple(marker(i, total) + body for i, body in enumerate(bodies, start=1))
    return SmsSplit(encoding, parts, truncated)
