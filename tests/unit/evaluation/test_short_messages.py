"""The short-message sets (tests/bench/short_messages*.jsonl): messages of a few words as
tenants text them, asked of the project's knowledge; well formed, and every expected section is
a real heading of ``knowledge/``. The held-out file was written before the changes it measures
and is not tuned on (docs/gate.md, "Short messages")."""

from __future__ import annotations

from pathlib import Path

import pytest

from pierre_rag.evaluation.retrieval import load_questions
from pierre_rag.knowledge.chunking import chunk_markdown
from pierre_rag.knowledge.sources import split_front_matter
from tests.helpers import REPO_ROOT

SETS = {
    "sm": REPO_ROOT / "tests" / "bench" / "short_messages.jsonl",
    "smh": REPO_ROOT / "tests" / "bench" / "short_messages.heldout.jsonl",
}
KNOWLEDGE = REPO_ROOT / "knowledge"


def _headings(path: Path) -> set[str]:
    _, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    return {h.strip() for c in chunk_markdown(body) for h in (*c.heading_path, *c.headings)}


@pytest.mark.parametrize(("prefix", "path"), SETS.items())
def test_a_short_message_set_is_well_formed(prefix: str, path: Path) -> None:
    questions = load_questions(path)
    ids = [q.id for q in questions]

    assert len(questions) >= 40
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(prefix) and i[len(prefix) :].isdigit() for i in ids)
    for q in questions:
        assert (q.kind, q.lang, q.history) == ("answerable", "fr", []), q.id
        assert len(q.question.split()) <= 10, q.id
        assert q.expected, q.id


@pytest.mark.parametrize("path", SETS.values())
def test_every_expected_section_is_a_heading_of_the_project_knowledge(path: Path) -> None:
    missing = []
    for q in load_questions(path):
        for expected in q.expected:
            file = KNOWLEDGE / expected.file
            if not file.is_file() or expected.heading.strip() not in _headings(file):
                missing.append(f"{q.id}: {expected.file} > {expected.heading}")

    assert missing == []


def test_no_message_is_in_both_sets() -> None:
    tuned, held = ({q.question.casefold() for q in load_questions(path)} for path in SETS.values())

    assert tuned & held == set()
