"""Retrieve: the queries searched, and the numbered sources an answer may cite."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pierre_rag.conversations import Turn
from pierre_rag.knowledge.models import AccessLevel, SearchResponse, SearchResult
from pierre_rag.pipeline.models import Understanding
from pierre_rag.pipeline.retrieve import SOURCE_EXCERPT_CHARS, number_sources, retrieve


def _chunk(file: str, heading_path: list[str], text: str = "texte", chunk_id: int = 1):
    return SearchResult(
        chunk_id=chunk_id,
        file=file,
        title=f"Titre de {file}",
        heading_path=heading_path,
        headings=heading_path,
        text=text,
        access=AccessLevel.COMMUNITY,
        landlord=None,
        score=1.0,
    )


@dataclass
class RecordingSearcher:
    calls: list[dict[str, object]] = field(default_factory=list)

    def search_many(
        self,
        queries: Sequence[str],
        *,
        k: int,
        landlord: str | None,
        access: Sequence[AccessLevel | str],
    ) -> SearchResponse:
        self.calls.append(
            {"queries": list(queries), "k": k, "landlord": landlord, "access": access}
        )
        return SearchResponse(results=[], top_cosine=0.0, queries=list(queries))

    def search_with_history(
        self,
        question: str,
        history: Sequence[str | Mapping[str, str]],
        *,
        k: int,
        landlord: str | None,
        access: Sequence[AccessLevel | str],
    ) -> SearchResponse:
        self.calls.append({"question": question, "history": list(history), "k": k})
        return SearchResponse(results=[], top_cosine=0.0, queries=[question])


def test_the_understood_queries_are_searched_in_the_contexts_knowledge():
    # Given an understanding with two search queries
    searcher = RecordingSearcher()
    understood = Understanding(search_queries=["préavis meublé", "délai départ meublé"])

    # When retrieval runs for a landlord's context
    retrieve(
        searcher,
        understood,
        "et pour un meublé ?",
        k=6,
        landlord="exemple-hlm.fr",
        access=[AccessLevel.COMMUNITY, AccessLevel.PUBLIC],
    )

    # Then those queries are searched, restricted to that landlord and those access levels
    assert searcher.calls == [
        {
            "queries": ["préavis meublé", "délai départ meublé"],
            "k": 6,
            "landlord": "exemple-hlm.fr",
            "access": [AccessLevel.COMMUNITY, AccessLevel.PUBLIC],
        }
    ]


def test_without_understood_queries_the_message_itself_is_searched():
    searcher = RecordingSearcher()

    retrieve(searcher, Understanding(), "chaudière en panne", k=3, landlord="x", access=["public"])

    assert searcher.calls[0]["queries"] == ["chaudière en panne"]


def test_sources_are_numbered_once_per_section_and_chunks_of_a_section_merged():
    # Given ranked chunks: two of one section, one of another, one of a section past the limit
    results = [
        _chunk("a.md", ["Préavis", "Meublé"], "premier morceau"),
        _chunk("b.md", [], "sans titre de section"),
        _chunk("c.md", ["Loin"], "au-delà de la limite"),
        _chunk("a.md", ["Préavis", "Meublé"], "second morceau"),
    ]

    # When at most two sources are numbered
    grounding = number_sources(results, limit=2)

    # Then each section is one source, in rank order, with all its chunks' text, even ranked
    # past the limit; a chunk without heading is named by its file's title
    assert [(s.number, s.file, s.heading) for s in grounding.sources] == [
        (1, "a.md", "Meublé"),
        (2, "b.md", "Titre de b.md"),
    ]
    assert grounding.texts == ["premier morceau\n\nsecond morceau", "sans titre de section"]
    assert grounding.sources[0].breadcrumb == "Titre de a.md > Préavis > Meublé"


def test_a_source_shows_a_short_excerpt_of_its_first_chunk():
    long_text = "Une phrase de la section. " * 40

    grounding = number_sources([_chunk("a.md", ["S"], long_text)], limit=4)

    assert 0 < len(grounding.sources[0].excerpt) <= SOURCE_EXCERPT_CHARS
    assert long_text.startswith(grounding.sources[0].excerpt)


def test_the_heuristic_searches_the_message_with_and_without_the_previous_turns():
    # Given the local understanding of a message that follows a conversation
    searcher = RecordingSearcher()
    understood = Understanding(search_queries=["et si je pars pour raison de santé ?"])
    history = [
        Turn("user", "préavis pour partir ?", "m1", 1),
        Turn("assistant", "3 mois.", "m1", 2),
    ]

    # When retrieval runs
    retrieve(
        searcher,
        understood,
        understood.search_queries[0],
        k=4,
        landlord="x",
        access=["public"],
        history=history,
    )

    # Then the knowledge base decides follow-up or new topic from the message and the history
    assert searcher.calls == [
        {
            "question": "et si je pars pour raison de santé ?",
            "history": [
                {"role": "user", "content": "préavis pour partir ?"},
                {"role": "assistant", "content": "3 mois."},
            ],
            "k": 4,
        }
    ]


def test_an_llm_rewrite_is_searched_as_it_is_whatever_the_history():
    # Given an LLM's standalone rewrite (it already decided follow-up or new topic)
    searcher = RecordingSearcher()
    understood = Understanding(search_queries=["odeur de gaz cuisine"], source="llm")
    history = [Turn("user", "mon radiateur chauffe pas", "m1", 1)]

    # When retrieval runs
    retrieve(
        searcher, understood, "odeur de gaz", k=4, landlord="x", access=["public"], history=history
    )

    # Then only its queries are searched, not the previous turn
    assert searcher.calls[0]["queries"] == ["odeur de gaz cuisine"]


def test_a_source_links_to_its_article_only_when_a_tenant_may_read_it() -> None:
    # Given a community chunk, a public one and a staff one found for a landlord
    results = [
        _chunk("commun/a.md", ["Préavis", "Meublé"]),
        _chunk("x.fr/public/b.md", []).model_copy(
            update={"access": AccessLevel.PUBLIC, "landlord": "x.fr"}
        ),
        _chunk("x.fr/staff/c.md", ["Astreinte"]).model_copy(
            update={"access": AccessLevel.STAFF, "landlord": "x.fr"}
        ),
    ]

    # When they are numbered for that landlord
    grounding = number_sources(results, limit=4, landlord="x.fr")

    # Then the first two link to their article (at the section), the staff one has no link
    assert [s.url for s in grounding.sources] == [
        "/api/landlords/x.fr/articles/commun/a.md#meuble",
        "/api/landlords/x.fr/articles/x.fr/public/b.md",
        None,
    ]
    # and without a landlord (the retrieval benchmark) nothing links
    assert all(s.url is None for s in number_sources(results, limit=4).sources)
