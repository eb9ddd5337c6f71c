"""Another section of the same article, when its heading names what the question asks and the
first section's heading does not.

The search ranks chunks; inside the article it found, the first section is often a general
one ("Comment obtenir un changement de logement ?") while the question's own words head a
sibling ("… les délais d'attente pour une mutation ?" for "c normal ce délai ?"). The
question's distinctive words are those the article's title and the first section's ancestors
do not hold (they are shared by every section of the article). When the first section's own
heading holds none of them and exactly one other section of the same article, among those
found, holds the most, that one is quoted. Measured with ``pierre eval answers``
(docs/retrieval.md): dev answers quoting an expected section 0.554 → 0.585 (2 gained, none
lost), our tuning set 0.350 → 0.368 (6 gained, 2 lost), the project's set unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

from pierre_rag.pipeline.models import Source
from pierre_rag.pipeline.pick import question_stems
from pierre_rag.pipeline.subsection import heading_stems


def _ancestors(source: Source) -> list[str]:
    """The title and the headings above the section (its breadcrumb but its own heading)."""
    parts = [part.strip() for part in source.breadcrumb.split(" > ") if part.strip()]
    return parts[:-1] if parts and parts[-1] == source.heading.strip() else parts


def named_sibling(
    question: str, sources: Sequence[Source], order: Sequence[int], first: int
) -> int | None:
    """The index (of ``order``'s) of the section of ``first``'s article whose own heading
    names the question's distinctive words when ``first``'s does not; None otherwise."""
    picked = sources[first]
    wanted = question_stems(question) - heading_stems([picked.title, *_ancestors(picked)])
    if not wanted or wanted & heading_stems([picked.heading]):
        return None
    counts = {
        index: len(wanted & heading_stems([sources[index].heading]))
        for index in order
        if index != first and sources[index].file == picked.file
    }
    best = max(counts.values(), default=0)
    winners = [index for index, count in counts.items() if count == best]
    return winners[0] if best > 0 and len(winners) == 1 else None
