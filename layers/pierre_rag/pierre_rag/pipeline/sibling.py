"""Another section of the same article, when its heading names what the question asks and the
first section's heading does not.

The search ranks chunks; inside the article it found, the first section is often a general
one ("Comment obtenir un changement de logement ?") while the question's own words head a
sibling ("… les délais d'attente pour une mutation ?" for "c normal ce délai ?"). The
question's distinctive words are those the article's title does not hold (it is shared by every
section of the article). When none of them is in the first section's headings (its own and
its ancestors' under the title) and exactly one other section of the same article, among
those found, holds the most in its headings, that one is quoted; when the title holds every
word asked, the question's first word decides (``_sibling_naming_the_head``). Measured with
``pierre eval answers`` (docs/retrieval.md): dev answers quoting an expected section 0.554 →
0.585 on the web, 0.600 by SMS (2 gained, none lost); our tuning set 0.350 → 0.368 (5 gained,
1 lost); the project's set 0.517 → 0.552 on the web (1 gained).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pierre_rag.knowledge.text import asking_stems, query_words, stem_all
from pierre_rag.pipeline.models import Source
from pierre_rag.pipeline.pick import question_stems
from pierre_rag.pipeline.subsection import heading_stems


def _below_title(source: Source) -> list[str]:
    """The section's headings under its article's title: its ancestors', then its own."""
    below = [part for part in source.heading_path if part != source.title.strip()]
    own = source.heading.strip()
    return below if own in below or own == source.title.strip() else [*below, own]


def named_sibling(
    question: str, sources: Sequence[Source], order: Sequence[int], first: int
) -> int | None:
    """The index (of ``order``'s) of the section of ``first``'s article whose headings name
    the question's distinctive words when ``first``'s do not; None otherwise."""
    picked = sources[first]
    asked = question_stems(question)
    wanted = asked - heading_stems([picked.title])
    if not wanted and asked:
        return _sibling_naming_the_head(question, sources, order, first)
    if not wanted or wanted & heading_stems(_below_title(picked)):
        return None
    counts = {
        index: len(wanted & heading_stems(_below_title(sources[index])))
        for index in order
        if index != first and sources[index].file == picked.file
    }
    return _sole_best(counts)


def _sibling_naming_the_head(
    question: str, sources: Sequence[Source], order: Sequence[int], first: int
) -> int | None:
    """When the article's title names every word asked ("Agences et horaires" for "les
    horaires de mon agence"), the words cannot tell its sections apart; the question's first
    meaningful word, what French puts first ("les horaires de mon agence", "numéros
    d'urgence"), can: if the first section's headings lack it, the section of that article
    whose heading holds it and is most about the question (the largest share of its heading's
    words asked) is quoted."""
    picked = sources[first]
    ordered = [stem for stem in stem_all(query_words(question)) if stem not in asking_stems()]
    if not ordered or ordered[0] in heading_stems(_below_title(picked)):
        return None
    head, asked = ordered[0], set(ordered)
    shares: dict[int, float] = {}
    for index in order:
        source = sources[index]
        if index == first or source.file != picked.file or source.heading == source.title:
            continue
        words = question_stems(source.heading)
        if head in words:
            shares[index] = len(words & asked) / len(words)
    return _sole_best(shares)


def _sole_best(scores: Mapping[int, float]) -> int | None:
    """The one index with the highest positive score; None when there is none or a tie."""
    best = max(scores.values(), default=0.0)
    winners = [index for index, score in scores.items() if score == best]
    return winners[0] if best > 0 and len(winners) == 1 else None
