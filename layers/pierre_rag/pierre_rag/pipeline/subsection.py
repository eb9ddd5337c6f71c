"""The short sub-section a question names, inside the section an extractive answer quotes.

Sections under 500 characters are folded into their parent at indexing (their heading kept
in the text), so one chunk can hold a row of short sub-sections: one agency each, one
option each. The answer quoted such a chunk from its start, so "l'agence de Morlaix ouvre
quand ?" got the agencies' introduction. When the question's own words (those the section's
title and headings do not already hold) pick out one folded sub-heading, the answer quotes
that sub-section, and its source names and links it.
"""

from __future__ import annotations

from collections.abc import Iterable

from pierre_rag.knowledge.articles import anchor
from pierre_rag.knowledge.chunking import heading_lines
from pierre_rag.knowledge.text import stem_all, tokens
from pierre_rag.pipeline.models import Source
from pierre_rag.pipeline.pick import question_stems

MIN_WORDS = 6  # what a sub-section needs under its heading to be quoted alone


def heading_stems(headings: Iterable[str]) -> set[str]:
    return set(stem_all([word for heading in headings for word in tokens(heading)]))


def _sub_headings(text: str, own: str) -> list[tuple[int, int, str]]:
    """(line index, level, heading) of the headings written in ``text`` as the chunker reads
    them, its own aside."""
    found = heading_lines(text.splitlines())
    return [(i, level, h) for i, (level, h) in found.items() if h != own.strip()]


def named_sub_section(question: str, source: Source, text: str) -> str | None:
    """The one folded sub-heading holding the most of the question's words that the
    section's title and headings do not hold; None when none does, or several tie."""
    shared = heading_stems(source.heading_path)
    wanted = question_stems(question) - shared
    if not wanted:
        return None
    counts: dict[str, int] = {}
    for _, _, heading in _sub_headings(text, source.heading):
        counts[heading] = max(counts.get(heading, 0), len(wanted & heading_stems([heading])))
    best = max(counts.values(), default=0)
    winners = [heading for heading, count in counts.items() if count == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def has_words(text: str) -> bool:
    """Whether ``text`` says something under its headings: ``MIN_WORDS`` words at least."""
    lines = text.splitlines()
    headings = heading_lines(lines)
    said = [line for index, line in enumerate(lines) if index not in headings]
    return len(" ".join(said).split()) >= MIN_WORDS


def narrowed(source: Source, text: str, heading: str) -> tuple[Source, str]:
    """The sub-section under ``heading`` (to the next heading of its level or above), and the
    source naming it: its heading, breadcrumb and link."""
    lines = text.splitlines()
    headings = _sub_headings(text, source.heading)
    start, level = next((i, lvl) for i, lvl, h in headings if h == heading)
    end = next((i for i, lvl, _ in headings if i > start and lvl <= level), len(lines))
    url = f"{source.url.split('#', 1)[0]}#{anchor(heading)}" if source.url else None
    named = source.model_copy(
        update={"heading": heading, "breadcrumb": f"{source.breadcrumb} > {heading}", "url": url}
    )
    return named, "\n".join(lines[start:end]).strip()
