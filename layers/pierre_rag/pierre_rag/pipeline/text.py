"""Markdown → plain text for SMS, and short excerpts cut at sentence boundaries."""

from __future__ import annotations

import re

_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_RELATIVE_LINK = re.compile(r"\[([^\]]+)\]\((?!https?://)[^)\s]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(.+?)\1")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)
_BULLET = re.compile(r"^\s*[-*+]\s+", re.MULTILINE)
_QUOTE = re.compile(r"^\s*>\s?", re.MULTILINE)
_CITATION = re.compile(r"\s?\[(\d+(?:,\s*\d+)*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def markdown_to_plain(text: str, keep_citations: bool = False) -> str:
    """Plain text an SMS can carry: links become ``label (url)``, markup disappears."""
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    text = _RELATIVE_LINK.sub(r"\1", text)
    text = _HEADING.sub("", text)
    text = _BULLET.sub("- ", text)
    text = _QUOTE.sub("", text)
    for _ in range(2):
        text = _EMPHASIS.sub(r"\2", text)
    if not keep_citations:
        text = _CITATION.sub("", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def without_relative_links(text: str) -> str:
    """Links between knowledge files mean nothing to a tenant: keep their label only."""
    return _RELATIVE_LINK.sub(r"\1", text)


def excerpt(text: str, max_chars: int) -> str:
    """The first sentences of ``text`` that fit in ``max_chars`` (at least one, cut at a word)."""
    text = " ".join(without_relative_links(text).split())
    if len(text) <= max_chars:
        return text
    kept = ""
    for sentence in _SENTENCE_END.split(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > max_chars:
            break
        kept = candidate
    if kept:
        return kept
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def excerpt_lines(text: str, max_chars: int) -> str:
    """Whole lines of ``text`` (lists kept as lists) up to ``max_chars``; a first line that is
    too long alone is cut at a sentence."""
    kept: list[str] = []
    used = 0
    for line in without_relative_links(text).strip().splitlines():
        if used + len(line) > max_chars:
            if not kept:
                kept.append(excerpt(line, max_chars))
            break
        kept.append(line)
        used += len(line) + 1
    while kept and not kept[-1].strip():
        kept.pop()
    if kept and kept[-1].rstrip().endswith(":"):
        kept.pop()  # a lead-in whose list did not fit would dangle
    return "\n".join(kept)
