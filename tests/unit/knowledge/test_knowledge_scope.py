"""How close a query is to the topics the assistant covers (``knowledge.scope``)."""

from __future__ import annotations

import shutil

import numpy as np

from pierre_rag.knowledge import scope
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.scope import (
    ALL_TOPICS,
    ELSEWHERE,
    TOPICS,
    ScopeTopics,
    topics_fingerprint,
)
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.knowledge.sqlite import open_writable
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


def test_a_built_datastore_holds_the_topics_so_a_cold_start_embeds_none(built_datastore) -> None:
    # given a knowledge base opened on a datastore built with this embedder
    embedder = HashEmbedder()
    base = KnowledgeBase(Datastore(built_datastore), embedder)

    # when the topics are loaded (at init)
    vectors = base.scope.load()

    # then they were read, not embedded, and are the embedder's own vectors
    assert embedder.calls == []
    assert np.allclose(vectors, HashEmbedder().embed(ALL_TOPICS), atol=1e-6)


def test_edited_topics_are_embedded_again_not_read_stale(built_datastore, monkeypatch) -> None:
    # given a datastore built before a topic was reworded
    monkeypatch.setattr(scope, "ALL_TOPICS", (*ALL_TOPICS[:-1], "un sujet reformulé"))
    embedder = HashEmbedder()
    base = KnowledgeBase(Datastore(built_datastore), embedder)

    # when the topics are loaded, then the stored vectors are not used
    base.scope.load()
    assert embedder.calls == [len(ALL_TOPICS)]


def test_a_datastore_built_before_the_topics_were_stored_still_serves(
    built_datastore, tmp_path
) -> None:
    # given a datastore without the topics' table
    older = tmp_path / "older.sqlite"
    shutil.copy(built_datastore, older)
    db = open_writable(older)
    db.execute("DROP TABLE topic_vectors")
    db.commit()
    db.close()

    # when a knowledge base opened on it loads the topics, then it embeds them
    embedder = HashEmbedder()
    base = KnowledgeBase(Datastore(older), embedder)
    assert base.datastore.topic_vectors(topics_fingerprint(embedder.model_id)) is None
    base.scope.load()
    assert embedder.calls == [len(ALL_TOPICS)]


def test_stored_topic_vectors_of_the_wrong_size_are_embedded_again(
    built_datastore, tmp_path
) -> None:
    # given a datastore whose stored topics are not whole vectors of its dimension
    damaged = tmp_path / "damaged.sqlite"
    shutil.copy(built_datastore, damaged)
    db = open_writable(damaged)
    db.execute("UPDATE topic_vectors SET vectors = ?", (b"\x00" * 10,))
    db.commit()
    db.close()

    # when a knowledge base opened on it loads the topics, then it embeds them
    embedder = HashEmbedder()
    base = KnowledgeBase(Datastore(damaged), embedder)
    base.scope.load()
    assert embedder.calls == [len(ALL_TOPICS)]
