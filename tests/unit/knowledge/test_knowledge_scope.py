"""How close a query is to the topics the assistant covers (``knowledge.scope``)."""

from __future__ import annotations

import numpy as np

from pierre_rag.knowledge.scope import ELSEWHERE, TOPICS, ScopeTopics
from pierre_rag.knowledge.search import KnowledgeBase
from tests.unit.knowledge.fakes import HashEmbedder


def test_the_topics_are_embedded_once_then_compared_to_every_query() -> None:
    # given the topics and an embedder that counts its calls
    embedder = HashEmbedder()
    topics = ScopeTopics(embedder)

    # when two queries are compared, one of them a topic's own words
    own = topics.cosine(embedder.embed([TOPICS[0]]))
    other = topics.cosine(embedder.embed(["zzz qqq"]))

    # then the topics were embedded once, and the topic's own words match it fully
    assert embedder.calls == [1, len(TOPICS) + len(ELSEWHERE), 1]
    assert np.isclose(own, 1.0)
    assert other < own


def test_topics_loaded_ahead_are_not_embedded_again() -> None:
    # given topics loaded at init
    embedder = HashEmbedder()
    topics = ScopeTopics(embedder)
    topics.load()

    # when a query is compared, then only the query was embedded since
    topics.cosine(embedder.embed(["loyer"]))
    topics.elsewhere_cosine(embedder.embed(["loyer"]))
    assert embedder.calls == [len(TOPICS) + len(ELSEWHERE), 1, 1]


def test_a_subject_elsewhere_is_close_to_itself_not_to_a_covered_topic() -> None:
    # given the topics, and a message in the words of a subject the assistant does not cover
    embedder = HashEmbedder()
    topics = ScopeTopics(embedder)
    message = embedder.embed([ELSEWHERE[0]])

    # when it is compared to both lists
    elsewhere = topics.elsewhere_cosine(message)
    covered = topics.cosine(message)

    # then it matches its subject fully, and no covered topic as well
    assert np.isclose(elsewhere, 1.0)
    assert covered < elsewhere


def test_no_query_is_close_to_nothing() -> None:
    topics = ScopeTopics(HashEmbedder())
    none = np.zeros((0, 64), dtype=np.float32)
    assert topics.cosine(none) == 0.0
    assert topics.elsewhere_cosine(none) == 0.0


def test_a_search_reports_how_close_it_came_to_a_covered_topic(kb: KnowledgeBase) -> None:
    # given a question in the topics' own words, and one about nothing they cover
    housing = kb.search("assurance habitation")
    elsewhere = kb.search("zzz qqq")

    # when their responses are read, then the housing one is closer to a covered topic
    assert housing.scope_cosine > elsewhere.scope_cosine
