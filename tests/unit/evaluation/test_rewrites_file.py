"""Recorded rewrites: the file format, and the errors that name the line at fault."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pierre_rag.evaluation.retrieval import EvalInputError, load_questions
from pierre_rag.evaluation.rewrites import RecordedRewrite, load_rewrites, write_rewrites
from tests.helpers import REPO_ROOT

FIXTURE_KNOWLEDGE = REPO_ROOT / "tests" / "fixtures" / "knowledge"
IDS = {"t01", "t04"}


def _row(**overrides: object) -> str:
    row = {
        "id": "t04",
        "standalone": "Quel est le préavis pour un logement meublé ?",
        "queries": ["préavis logement meublé"],
        "model": "openai:gpt-test",
        "recorded": "2026-11-30",
    }
    return json.dumps({**row, **overrides}, ensure_ascii=False)


def _file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "rewrites.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(EvalInputError) as raised:
        load_rewrites(path, IDS)
    return str(raised.value)


def test_a_recorded_rewrite_becomes_an_llm_understanding(tmp_path: Path) -> None:
    # Given a file recording one row's rewrite, then a blank line
    path = _file(tmp_path, _row(queries=[" préavis meublé ", "quitter un meublé"]), "")

    # When it is loaded
    rewrites = load_rewrites(path, IDS)

    # Then the row's understanding is the LLM's, its queries as the pipeline holds them
    understanding = rewrites["t04"].understanding()
    assert understanding.source == "llm"
    assert understanding.search_queries == ["préavis meublé", "quitter un meublé"]
    assert understanding.standalone_question == "Quel est le préavis pour un logement meublé ?"
    assert rewrites["t04"].recorded == date(2026, 11, 30)


def test_a_row_without_a_standalone_question_is_accepted(tmp_path: Path) -> None:
    rewrites = load_rewrites(_file(tmp_path, _row(standalone=None)), IDS)

    assert rewrites["t04"].understanding().standalone_question == ""


def test_a_line_that_is_not_json_is_named_by_its_number(tmp_path: Path) -> None:
    path = _file(tmp_path, _row(), "{not json")

    assert _error(path).startswith(f"{path}:2: not valid JSON")


@pytest.mark.parametrize(
    ("queries", "field"),
    [([], "queries"), (["  "], "queries.0"), (["a", "b", "c", "d"], "queries")],
)
def test_no_query_a_blank_one_or_more_than_the_pipeline_searches_is_refused(
    tmp_path: Path, queries: list[str], field: str
) -> None:
    path = _file(tmp_path, _row(queries=queries))

    assert _error(path).startswith(f"{path}:1: {field}:")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"recorded": "yesterday"}, "recorded"),
        ({"model": ""}, "model"),
        ({"rewrite": "x"}, "rewrite"),  # a misspelt key is not silently dropped
    ],
)
def test_a_bad_field_is_named_with_its_line(
    tmp_path: Path, overrides: dict[str, object], field: str
) -> None:
    path = _file(tmp_path, _row(**overrides))

    assert _error(path).startswith(f"{path}:1: {field}:")


def test_an_id_the_questions_file_does_not_have_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, _row(), _row(id="t99"))

    assert _error(path) == f"{path}:2: id 't99' is not a row of the questions file"


def test_a_row_recorded_twice_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, _row(), _row(queries=["autre"]))

    assert _error(path) == f"{path}:2: id 't04' is recorded twice"


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    assert _error(tmp_path / "none.jsonl") == f"rewrites file not found: {tmp_path / 'none.jsonl'}"


def test_written_rewrites_read_back_the_same(tmp_path: Path) -> None:
    # Given two rewrites, one without a standalone question
    rewrites = [
        RecordedRewrite.model_validate_json(_row()),
        RecordedRewrite.model_validate_json(_row(id="t01", standalone=None)),
    ]

    # When written, then loaded
    path = tmp_path / "out" / "rewrites.jsonl"
    write_rewrites(path, rewrites)

    # Then the same rewrites come back, one line each, in the order written
    assert list(load_rewrites(path, IDS).values()) == rewrites
    assert [json.loads(line)["id"] for line in path.read_text().splitlines()] == ["t04", "t01"]


def test_the_shipped_example_recording_matches_the_fixture_questions() -> None:
    questions = load_questions(FIXTURE_KNOWLEDGE / "questions.jsonl")

    rewrites = load_rewrites(FIXTURE_KNOWLEDGE / "rewrites.jsonl", {q.id for q in questions})

    assert 0 < len(rewrites) < len(questions)  # some rows keep the path without an LLM
