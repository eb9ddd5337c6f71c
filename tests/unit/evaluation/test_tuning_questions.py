"""The tuning set (tests/bench/questions.tuning.jsonl): well formed, and every expected section
is a real heading of the shared corpus (checked when the corpus is present)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from pierre_rag.evaluation.retrieval import ALL_RECALL_KINDS, load_questions
from pierre_rag.knowledge.chunking import chunk_markdown
from pierre_rag.knowledge.sources import split_front_matter
from tests.helpers import REPO_ROOT

TUNING = REPO_ROOT / "tests" / "bench" / "questions.tuning.jsonl"
SHARED = Path(os.environ.get("PIERRE_SHARED_DIR", REPO_ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "pierre-knowledge"


def _headings(path: Path) -> set[str]:
    """Every heading a retrieved chunk of ``path`` can carry (own, ancestors, folded)."""
    _, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    return {h.strip() for c in chunk_markdown(body) for h in (*c.heading_path, *c.headings)}


def test_the_tuning_set_is_well_formed() -> None:
    questions = load_questions(TUNING)
    ids = [q.id for q in questions]
    kinds = Counter(q.kind for q in questions)

    assert len(questions) >= 160
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("tun") for i in ids)
    assert {"answerable", "other_language", "follow_up", "new_topic", "off_topic"} <= set(kinds)
    for q in questions:
        assert bool(q.expected) == (q.kind in ALL_RECALL_KINDS), q.id
        assert bool(q.history) == (q.kind in ("follow_up", "new_topic")), q.id
        if q.kind == "other_language":
            assert q.lang != "fr", q.id
        elif q.kind != "off_topic":
            assert q.lang == "fr", q.id


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus absent (../shared/corpus)")
def test_every_expected_section_is_a_heading_of_the_corpus() -> None:
    missing = []
    cache: dict[str, set[str]] = {}
    for q in load_questions(TUNING):
        for expected in q.expected:
            path = CORPUS / expected.file
            if not path.is_file():
                missing.append(f"{q.id}: no file {expected.file}")
                continue
            headings = cache.setdefault(expected.file, _headings(path))
            if expected.heading.strip() not in headings:
                missing.append(f"{q.id}: no heading {expected.heading!r} in {expected.file}")

    assert missing == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus absent (../shared/corpus)")
def test_every_corpus_file_is_expected_by_some_question() -> None:
    expected = {e.file for q in load_questions(TUNING) for e in q.expected}
    files = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.md")}

    assert sorted(files - expected) == []
