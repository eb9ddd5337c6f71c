"""Retrieve: search the context's knowledge, then number the sections an answer may cite."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pierre_rag.conversations import Turn
from pierre_rag.knowledge.articles import article_url, readable_by_tenants
from pierre_rag.knowledge.models import AccessLevel, SearchResponse, SearchResult
from pierre_rag.pipeline.models import Source, Understanding
from pierre_rag.pipeline.text import excerpt

SOURCE_EXCERPT_CHARS = 280  # the excerpt shown under a source in the chat


class Searcher(Protocol):
    """What retrieval needs of the knowledge base (``knowledge.search.KnowledgeBase``)."""

    def search_many(
        self,
        queries: Sequence[str],
        *,
        k: int,
        landlord: str | None,
        access: Sequence[AccessLevel | str],
    ) -> SearchResponse: ...

    def search_with_history(
        self,
        question: str,
        history: Sequence[str | Mapping[str, str]],
        *,
        k: int,
        landlord: str | None,
        access: Sequence[AccessLevel | str],
    ) -> SearchResponse: ...


@dataclass
class Grounding:
    """The numbered sources an answer cites, and the full text of each (chunks merged)."""

    sources: list[Source] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    # The acronyms the knowledge defines that the message names ("siao"): a passage should
    # reach the sentence naming one
    acronyms: list[str] = field(default_factory=list)


def retrieve(
    knowledge: Searcher,
    understanding: Understanding,
    text: str,
    *,
    k: int,
    landlord: str | None,
    access: Sequence[AccessLevel | str],
    history: Sequence[Turn] = (),
) -> SearchResponse:
    """Search with the understood queries, or the message itself when there are none.

    An LLM's queries are standalone already (it rewrites only follow-ups). The local
    heuristic cannot rewrite: its message is searched alone and with the previous user turn,
    weighted by how much it reads as a follow-up (``KnowledgeBase.search_with_history``).
    ``landlord`` None searches the community scope only (the retrieval benchmark)."""
    queries = understanding.search_queries or [text]
    if understanding.source == "heuristic" and history and len(queries) == 1:
        turns = [{"role": turn.role, "content": turn.content} for turn in history]
        return knowledge.search_with_history(
            queries[0], turns, k=k, landlord=landlord, access=access
        )
    return knowledge.search_many(queries, k=k, landlord=landlord, access=access)


def number_sources(
    results: Sequence[SearchResult], limit: int, *, landlord: str | None = None
) -> Grounding:
    """At most ``limit`` numbered sources, one per section, in rank order: chunks of a section
    already numbered are appended to its text, even past the limit. With the ``landlord``
    served, a source a tenant may read links to its article's section."""
    grounding = Grounding()
    index: dict[tuple[str, str], int] = {}
    for result in results:
        heading = result.heading_path[-1] if result.heading_path else result.title
        key = (result.file, heading)
        if key in index:
            grounding.texts[index[key]] += "\n\n" + result.text
            continue
        if len(grounding.sources) == limit:
            continue
        index[key] = len(grounding.sources)
        grounding.sources.append(
            Source(
                number=len(grounding.sources) + 1,
                file=result.file,
                title=result.title,
                heading=heading,
                breadcrumb=result.breadcrumb,
                excerpt=excerpt(result.text, SOURCE_EXCERPT_CHARS),
                url=_link(result, landlord),
            )
        )
        grounding.texts.append(result.text)
    return grounding


def _link(result: SearchResult, landlord: str | None) -> str | None:
    if landlord is None or not readable_by_tenants(result.access):
        return None
    heading = result.heading_path[-1] if result.heading_path else None
    return article_url(landlord, result.file, heading)
