"""The sets of questions asked of the project's knowledge: short messages
(tests/bench/short_messages*.jsonl, a few words as tenants text them, docs/gate.md "Short
messages") and first questions (tests/bench/first_questions*.jsonl, the plain questions an
applicant or a tenant asks first, docs/retrieval.md "First questions") and three-turn
conversations (tests/bench/three_turns*.jsonl: a subject, a short detail, then a question on the
subject or on another one, docs/retrieval.md "Three turns"). Each is well formed and
every expected section is a real heading of ``knowledge/``. The held-out files were written
before the changes they measure and are not tuned on."""

from __future__ import annotations

from pathlib import Path

import pytest

from pierre_rag.evaluation.retrieval import load_questions
from pierre_rag.knowledge.chunking import chunk_markdown
from pierre_rag.knowledge.sources import split_front_matter
from tests.helpers import REPO_ROOT

BENCH = REPO_ROOT / "tests" / "bench"
SETS = {
    "sm": BENCH / "short_messages.jsonl",
    "smh": BENCH / "short_messages.heldout.jsonl",
    "fq": BENCH / "first_questions.jsonl",
    "fqh": BENCH / "first_questions.heldout.jsonl",
}
MAX_WORDS = {"sm": 10, "smh": 10, "fq": 20, "fqh": 20}
CONVERSATIONS = {
    "tt": BENCH / "three_turns.jsonl",
    "tth": BENCH / "three_turns.heldout.jsonl",
}
KNOWLEDGE = REPO_ROOT / "knowledge"


def _headings(path: Path) -> set[str]:
    _, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    return {h.strip() for c in chunk_markdown(body) for h in (*c.heading_path, *c.headings)}


@pytest.mark.parametrize(("prefix", "path"), SETS.items())
def test_a_question_set_is_well_formed(prefix: str, path: Path) -> None:
    questions = load_questions(path)
    ids = [q.id for q in questions]

    assert len(questions) >= 40
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(prefix) and i[len(prefix) :].isdigit() for i in ids)
    for q in questions:
        assert (q.kind, q.lang, q.history) == ("answerable", "fr", []), q.id
        assert len(q.question.split()) <= MAX_WORDS[prefix], q.id
        assert q.expected, q.id


@pytest.mark.parametrize(("prefix", "path"), CONVERSATIONS.items())
def test_a_three_turn_set_is_well_formed(prefix: str, path: Path) -> None:
    questions = load_questions(path)
    ids = [q.id for q in questions]

    assert len(questions) >= 20
    assert len(set(ids)) == len(ids)
    assert all(i.startswith(prefix) and i[len(prefix) :].isdigit() for i in ids)
    assert {q.kind for q in questions} == {"follow_up", "new_topic"}
    for q in questions:
        assert [t.role for t in q.history] == ["user", "assistant", "user", "assistant"], q.id
        assert q.expected, q.id


@pytest.mark.parametrize("path", [*SETS.values(), *CONVERSATIONS.values()])
def test_every_expected_section_is_a_heading_of_the_project_knowledge(path: Path) -> None:
    missing = []
    for q in load_questions(path):
        for expected in q.expected:
            file = KNOWLEDGE / expected.file
            if not file.is_file() or expected.heading.strip() not in _headings(file):
                missing.append(f"{q.id}: {expected.file} > {expected.heading}")

    assert missing == []


def test_no_message_is_in_two_sets() -> None:
    seen: dict[str, str] = {}
    repeated = []
    for path in [*SETS.values(), *CONVERSATIONS.values()]:
        for q in load_questions(path):
            key = " / ".join([*(t.content for t in q.history if t.role == "user"), q.question])
            key = key.casefold()
            if key in seen:
                repeated.append(f"{q.id} repeats {seen[key]}")
            seen[key] = q.id

    assert repeated == []
