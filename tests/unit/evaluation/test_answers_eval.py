"""``pierre eval answers``: what extractive answers quote, their length, language and refusals."""

from __future__ import annotations

import asyncio
import io
import json
import os
from pathlib import Path

import pytest

from pierre_rag.cli import main
from pierre_rag.evaluation.answers import answer_row, offers_expected, quotes_expected, size
from pierre_rag.evaluation.retrieval import (
    BenchQuestion,
    Expected,
    ensure_datastore,
    load_questions,
)
from pierre_rag.knowledge.cache import default_cache_dir
from pierre_rag.knowledge.embeddings import UseEmbedder
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.pipeline import Outcome, Pipeline
from pierre_rag.pipeline.models import AnswerResult, Source
from pierre_rag.storage.memory import MemoryConversations
from tests.helpers import REPO_ROOT

FIXTURE_KB = REPO_ROOT / "tests" / "fixtures" / "pipeline_kb"
FIXTURE_BENCH = REPO_ROOT / "tests" / "fixtures" / "bench" / "answers.jsonl"
SHARED = Path(os.environ.get("PIERRE_SHARED_DIR", REPO_ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "pierre-knowledge"
DEV = SHARED / "bench" / "questions.dev.jsonl"

HEATING = Source(
    number=1,
    file="commun/chauffage.md",
    title="Chauffage",
    heading="Panne de chaudière",
    breadcrumb="Chauffage > Pannes > Panne de chaudière",
)


def _question(file: str, heading: str) -> BenchQuestion:
    return BenchQuestion(
        id="q", kind="answerable", question="?", expected=[Expected(file=file, heading=heading)]
    )


def _answer(text: str, *sources: Source) -> AnswerResult:
    return AnswerResult(text=text, outcome=Outcome.ANSWERED, language="fr", sources=list(sources))


def test_an_answer_quoting_a_section_under_the_expected_heading_counts() -> None:
    answer = _answer("Panne de chaudière : appelez le chauffagiste.", HEATING)

    assert quotes_expected(_question("commun/chauffage.md", "Pannes"), answer)
    assert quotes_expected(_question("commun/chauffage.md", "Panne de chaudière"), answer)


def test_a_source_the_text_does_not_quote_or_another_file_does_not_count() -> None:
    unquoted = _answer("Rien à voir.", HEATING)
    quoted = _answer("Panne de chaudière : appelez.", HEATING)

    assert not quotes_expected(_question("commun/chauffage.md", "Pannes"), unquoted)
    assert not quotes_expected(_question("commun/autre.md", "Pannes"), quoted)


def test_an_extractive_answer_quotes_only_the_passage_it_says_it_quotes() -> None:
    # Given an extractive answer quoting source 1 and offering source 2's article to read more
    other = Source(
        number=2,
        file="commun/chaudiere.md",
        title="Panne de chaudière",  # its title is written in the answer's "read more" line
        heading="Panne de chaudière",
        breadcrumb="Panne de chaudière",
    )
    quoting = HEATING.model_copy(update={"file": "commun/eau.md", "breadcrumb": "Eau > Fuite"})
    answer = _answer("Fuite : coupez l'eau. Pour en savoir plus : « Panne de chaudière » [2].")
    answer = answer.model_copy(
        update={"mode": "extractive", "sources": [quoting, other], "quoted": [1]}
    )
    expected = _question("commun/chaudiere.md", "Panne de chaudière")

    # Then the offered article is not quoted, though its title is in the text, but is offered
    assert not quotes_expected(expected, answer)
    assert offers_expected(expected, answer)
    assert not offers_expected(_question("commun/autre.md", "Panne de chaudière"), answer)


def test_web_size_is_in_words_and_sms_size_in_parts() -> None:
    long_answer = _answer("mot " * 300)

    assert size(long_answer, "web") == 300
    assert size(long_answer, "sms") > 3


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_eval_answers_prints_one_json_object_per_run(tmp_path: Path) -> None:
    code, stdout, stderr = _run(
        "eval",
        "answers",
        "--knowledge",
        str(FIXTURE_KB),
        "--landlords",
        str(FIXTURE_KB),
        "--questions",
        str(FIXTURE_BENCH),
        "--cache-dir",
        str(tmp_path),
        "--details",
    )

    assert code == 0, stderr
    report = json.loads(stdout)
    assert set(report) == {"n", "web", "sms", "per_question"}
    assert report["n"] == 4
    for channel in ("web", "sms"):
        figures = report[channel]
        assert figures["off_topic_refused"] == 1.0
        assert figures["in_scope_refused"] == 0.0
        assert figures["language_match"] == 1.0
        assert 0.0 < figures["expected_section_quoted"] <= 1.0
        assert set(figures["size"]) == {"median", "p90", "max"}
    rows = {(row["id"], row["channel"]): row for row in report["per_question"]}
    assert len(rows) == 8
    assert rows[("t04", "web")]["outcome"] == "off_topic"
    assert rows[("t04", "web")]["quotes_expected"] is None
    assert rows[("t02", "web")]["quotes_expected"] is True
    assert rows[("t01", "sms")]["quotes_expected"] in (True, False)


@pytest.mark.parametrize("live", [False, True])
def test_with_live_history_the_earlier_turns_are_answered_by_the_pipeline(
    tmp_path: Path, live: bool
) -> None:
    # Given a follow-up row whose history records a short note as the assistant's reply
    embedder = UseEmbedder(threads=1)
    path, _ = ensure_datastore(FIXTURE_KB, embedder, tmp_path)
    registry = LandlordRegistry.from_directory(FIXTURE_KB)
    store = MemoryConversations()
    pipeline = Pipeline(registry, KnowledgeBase.open(path, embedder), store, llm_for=lambda _: None)
    row = next(q for q in load_questions(FIXTURE_BENCH) if q.id == "t03")
    recorded = next(turn.content for turn in row.history if turn.role == "assistant")

    # When it is answered, with the history stored or lived
    asyncio.run(answer_row(pipeline, store, row, "web", registry.ids[0], live_history=live))

    # Then the reply before the question is the recorded note, or the pipeline's own answer
    replies = [turn for turn in store.all_turns("t03-web") if turn.role == "assistant"]
    assert len(replies) == 2
    assert (replies[0].content == recorded) is not live
    if live:
        assert replies[0].outcome == Outcome.ANSWERED.value


@pytest.mark.slow
@pytest.mark.skipif(not (CORPUS.is_dir() and DEV.is_file()), reason="shared corpus absent")
def test_eval_answers_runs_on_the_dev_bench() -> None:
    code, stdout, stderr = _run(
        "eval",
        "answers",
        "--knowledge",
        str(CORPUS),
        "--questions",
        str(DEV),
        "--cache-dir",
        str(default_cache_dir()),
    )

    assert code == 0, stderr
    report = json.loads(stdout)
    assert report["n"] > 50
    assert report["web"]["unit"] == "words" and report["sms"]["unit"] == "sms_parts"
    assert report["web"]["off_topic_refused"] is not None
    assert report["web"]["expected_section_offered"] >= report["web"]["expected_section_quoted"]
