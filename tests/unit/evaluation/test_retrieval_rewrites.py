"""``pierre eval retrieval --rewrites``: recorded rows are searched as the pipeline searches
with an LLM's understanding, the others as without an LLM, and the report says how many."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pierre_rag.cli import main
from pierre_rag.evaluation.retrieval import (
    BenchQuestion,
    load_questions,
    run_eval,
    search_row,
)
from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.embeddings import UseEmbedder
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.pipeline.models import Understanding
from tests.helpers import REPO_ROOT

FIXTURE_KNOWLEDGE = REPO_ROOT / "tests" / "fixtures" / "knowledge"
QUESTIONS = FIXTURE_KNOWLEDGE / "questions.jsonl"
EXAMPLE = FIXTURE_KNOWLEDGE / "rewrites.jsonl"
FURNISHED = "commun/quitter-son-logement.md"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The fixture knowledge indexed with the real local model, as the eval CLI does."""
    embedder = UseEmbedder(threads=1)
    out = tmp_path_factory.mktemp("rewrites-kb") / "datastore.sqlite"
    build_datastore([FIXTURE_KNOWLEDGE], out, embedder)
    return KnowledgeBase(Datastore(out), embedder)


@pytest.fixture(scope="module")
def questions() -> dict[str, BenchQuestion]:
    return {q.id: q for q in load_questions(QUESTIONS)}


def _llm(*queries: str) -> Understanding:
    return Understanding(standalone_question=queries[0], search_queries=list(queries), source="llm")


def test_a_recorded_row_searches_its_queries_not_the_message(
    kb: KnowledgeBase, questions: dict[str, BenchQuestion]
) -> None:
    # Given the follow-up "et pour un meublé ?" and an LLM's rewrite of it
    follow_up = questions["t04"]
    understanding = _llm("préavis logement meublé", "quitter un meublé")

    # When the row is searched with and without it
    recorded = search_row(kb, follow_up, understanding)
    heuristic = search_row(kb, follow_up, None)

    # Then the rewrite's queries were searched; without it, the message and its history
    assert recorded.queries == ["préavis logement meublé", "quitter un meublé"]
    assert heuristic.queries[0] == "et pour un meublé ?" and len(heuristic.queries) == 2


def test_the_figures_of_a_recorded_row_are_those_of_its_queries(
    kb: KnowledgeBase, questions: dict[str, BenchQuestion]
) -> None:
    # Given a follow-up found first without an LLM, and a rewrite that got the subject wrong
    rows = [questions["t04"]]
    wrong = {"t04": _llm("zone de loyer de la commune de Montfictif")}

    # When the eval runs without and with the rewrite
    heuristic = run_eval(kb, rows)
    recorded = run_eval(kb, rows, wrong)

    # Then the recorded figures follow the rewrite, not the message
    assert heuristic["by_kind"]["follow_up"]["recall@1"] == 1.0
    assert recorded["by_kind"]["follow_up"]["recall@1"] == 0.0


def test_the_report_counts_the_recorded_rows_by_kind(
    kb: KnowledgeBase, questions: dict[str, BenchQuestion]
) -> None:
    # Given recordings for the English row and the follow-up, none for the others
    understandings = {"t03": _llm("APL non versée"), "t04": _llm("préavis logement meublé")}

    # When the whole fixture bench is run
    report = run_eval(kb, list(questions.values()), understandings)

    # Then the report says which rows used a recording, per kind and per question
    assert report["rewrites"] == {
        "rows": 6,
        "used": 2,
        "by_kind": {"follow_up": 1, "other_language": 1},
    }
    flags = {row["id"]: row["rewritten"] for row in report["per_question"]}
    assert flags == {"t01": False, "t02": False, "t03": True, "t04": True, "t06": False}
    assert set(report["by_kind"]) == {
        "answerable",
        "other_language",
        "follow_up",
        "new_topic",
        "off_topic",
    }


def test_without_recordings_the_report_keeps_its_shape(
    kb: KnowledgeBase, questions: dict[str, BenchQuestion]
) -> None:
    report = run_eval(kb, list(questions.values()))

    assert "rewrites" not in report
    assert all("rewritten" not in row for row in report["per_question"])


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _eval(tmp_path: Path, rewrites: Path, *extra: str) -> tuple[int, str, str]:
    return _run(
        "eval",
        "retrieval",
        "--knowledge",
        str(FIXTURE_KNOWLEDGE),
        "--questions",
        str(QUESTIONS),
        "--rewrites",
        str(rewrites),
        "--cache-dir",
        str(tmp_path),
        *extra,
    )


def test_the_cli_measures_the_example_recording(tmp_path: Path) -> None:
    # When the eval runs with the example recording shipped beside the fixture questions
    code, stdout, stderr = _eval(tmp_path, EXAMPLE)

    # Then it reports how many rows used it, and who wrote them, beside the usual figures
    assert code == 0, stderr
    report = json.loads(stdout)
    assert report["rewrites"] == {
        "rows": 6,
        "used": 3,
        "by_kind": {"follow_up": 1, "new_topic": 1, "other_language": 1},
        "file": str(EXAMPLE),
        "models": ["hand-written"],
    }
    assert report["by_kind"]["follow_up"]["n"] == 1
    assert report["overall"]["recall@5"] == 1.0


def test_the_text_report_names_the_recording(tmp_path: Path) -> None:
    code, stdout, _ = _eval(tmp_path, EXAMPLE, "--format", "text")

    assert code == 0
    assert "rewrites: {'rows': 6, 'used': 3" in stdout


def test_a_recording_of_another_bench_stops_the_eval(tmp_path: Path) -> None:
    # Given a recording naming a row the questions file does not have
    other = tmp_path / "other.jsonl"
    other.write_text(
        '{"id": "dev-01", "standalone": null, "queries": ["q"], "model": "m", '
        '"recorded": "2026-11-30"}\n',
        encoding="utf-8",
    )

    # When the eval runs with it
    code, stdout, stderr = _eval(tmp_path, other)

    # Then it stops before any figure, naming the file, the line and the id
    assert (code, stdout) == (1, "")
    message = f"{other}:1: id 'dev-01' is not a row of the questions file"
    assert stderr == f"pierre: error: {message}\n"
