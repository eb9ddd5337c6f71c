"""``pierre eval record-rewrites``: the configured LLM's understanding of each benchmark row,
asked with the pipeline's own prompt, written for ``pierre eval retrieval --rewrites``; here
against the fake OpenAI-compatible server, never a live key."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pierre_rag.cli import main
from pierre_rag.evaluation.record_rewrites import record_rewrites, recording_llm
from pierre_rag.evaluation.retrieval import load_questions
from pierre_rag.evaluation.rewrites import load_rewrites
from pierre_rag.landlords import LlmConfig
from pierre_rag.pipeline.prompts import UNDERSTANDING_SYSTEM
from tests.fakes.openai_server import Behaviour, Fail, FakeOpenAI, Reply
from tests.helpers import REPO_ROOT

FIXTURE_KNOWLEDGE = REPO_ROOT / "tests" / "fixtures" / "knowledge"
QUESTIONS = FIXTURE_KNOWLEDGE / "questions.jsonl"
OFF_TOPIC = "qui a gagné le match hier soir ?"  # t05: no search query
GARBLED = "Montfictif c'est quelle zone ?"  # t02: not JSON, twice


def _message(request: dict[str, Any]) -> str:
    """The message the understanding call asks about (the last user message's payload)."""
    message: str = json.loads(request["messages"][-1]["content"])["message"]
    return message


def _understands(request: dict[str, Any]) -> Behaviour:
    """An LLM that rewrites every message, reads the match as out of scope and garbles one."""
    message = _message(request)
    if message == GARBLED:
        return Reply("je ne sais pas répondre en JSON")
    understood = {"language": "fr", "in_scope": True, "abusive": False}
    if message == OFF_TOPIC:
        understood |= {"in_scope": False, "standalone_question": "", "search_queries": []}
    else:
        understood |= {
            "standalone_question": f"Reformulé : {message}",
            "search_queries": [f"requête {message}"],
        }
    return Reply(json.dumps(understood, ensure_ascii=False))


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    for name in ("PIERRE_LLM", "OPENAI_API_KEY", "PIERRE_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with FakeOpenAI(responder=_understands) as server:
        yield server


def test_each_row_understood_is_recorded_with_the_pipelines_prompt(fake: FakeOpenAI) -> None:
    # Given the fixture questions and the factory's client for the fake model
    questions = load_questions(QUESTIONS)
    llm = recording_llm(LlmConfig(model="fake-model", base_url=fake.base_url))

    # When they are recorded
    recording = asyncio.run(record_rewrites(questions, llm, recorded=date(2026, 11, 30)))

    # Then each row the LLM understood is recorded as it understood it
    by_id = {r.id: r for r in recording.rewrites}
    assert list(by_id) == ["t01", "t03", "t04", "t06"]
    assert by_id["t04"].standalone == "Reformulé : et pour un meublé ?"
    assert by_id["t04"].queries == ["requête et pour un meublé ?"]
    assert {(r.model, r.recorded) for r in recording.rewrites} == {
        ("openai:fake-model", date(2026, 11, 30))
    }
    # and the others are skipped with the reason, so the eval searches them without an LLM
    assert recording.skipped == {
        "t02": "no usable answer (call failed or invalid JSON)",
        "t05": "no search query (read as out of scope?)",
    }
    # and the model was asked as the pipeline asks it: its prompt, the row's history
    asked = {_message(r): r for r in fake.requests}
    follow_up = asked["et pour un meublé ?"]
    assert follow_up["messages"][0] == {"role": "system", "content": UNDERSTANDING_SYSTEM}
    assert follow_up["response_format"] == {"type": "json_object"}
    history = json.loads(follow_up["messages"][-1]["content"])["historique"]
    assert [turn["role"] for turn in history] == ["user", "assistant"]


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _landlords(root: Path, llm: str) -> Path:
    """A landlords folder with one landlord whose ``llm`` block is ``llm``."""
    folder = root / "landlords" / "exemple-hlm.fr"
    folder.mkdir(parents=True)
    (folder / "landlord.yaml").write_text(
        f"id: exemple-hlm.fr\nname: Exemple HLM\n{llm}contexts:\n  default: {{}}\n",
        encoding="utf-8",
    )
    return folder.parent


def _record(out: Path, landlords: Path, *extra: str) -> tuple[int, str, str]:
    return _run(
        "eval",
        "record-rewrites",
        "--questions",
        str(QUESTIONS),
        "--out",
        str(out),
        "--landlords",
        str(landlords),
        *extra,
    )


def test_the_cli_records_with_the_landlords_llm_and_the_eval_reads_it(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    # Given a landlord whose configured LLM is the fake server
    llm = f"llm:\n  provider: openai\n  model: fake-model\n  base_url: {fake.base_url}\n"
    landlords = _landlords(tmp_path, llm)
    out = tmp_path / "rewrites.jsonl"

    # When the rewrites are recorded
    code, stdout, stderr = _record(out, landlords)

    # Then the file holds the rows understood, and says which were not and why
    assert code == 0, stderr
    assert stdout == f"wrote {out}: 4 of 6 rows recorded with openai:fake-model\n"
    assert "t02: not recorded: no usable answer" in stderr
    assert "t05: not recorded: no search query" in stderr
    questions = load_questions(QUESTIONS)
    assert list(load_rewrites(out, {q.id for q in questions})) == ["t01", "t03", "t04", "t06"]
    # and the retrieval eval measures the recorded rows with it
    code, stdout, stderr = _run(
        "eval",
        "retrieval",
        "--knowledge",
        str(FIXTURE_KNOWLEDGE),
        "--questions",
        str(QUESTIONS),
        "--rewrites",
        str(out),
        "--cache-dir",
        str(tmp_path / "cache"),
    )
    assert code == 0, stderr
    assert json.loads(stdout)["rewrites"]["used"] == 4


def test_model_and_base_url_name_the_llm_outright(fake: FakeOpenAI, tmp_path: Path) -> None:
    # Given a landlord without an LLM
    landlords = _landlords(tmp_path, "")

    # When a model and its endpoint are named
    out = tmp_path / "rewrites.jsonl"
    code, stdout, stderr = _record(
        out, landlords, "--model", "other-model", "--base-url", fake.base_url
    )

    # Then that model is asked
    assert code == 0, stderr
    assert {r["model"] for r in fake.requests} == {"other-model"}
    assert "with openai:other-model" in stdout


@pytest.mark.parametrize(
    ("llm", "extra", "message"),
    [
        ("", (), "landlord exemple-hlm.fr has no llm configured (or pass --model)"),
        ("", ("--landlord", "absent.fr"), "unknown landlord 'absent.fr'"),
        ("", ("--model", "m", "--base-url", "ftp://x"), "LLM configuration: base_url:"),
        ("llm:\n  model: fake-model\n", (), "no LLM for openai:fake-model: PIERRE_LLM is off"),
    ],
)
def test_without_an_llm_to_ask_nothing_is_recorded(
    fake: FakeOpenAI, tmp_path: Path, llm: str, extra: tuple[str, ...], message: str
) -> None:
    # Given no LLM the recording can use (none, an unknown landlord, a bad endpoint, no key)
    out = tmp_path / "rewrites.jsonl"

    # When recording
    code, stdout, stderr = _record(out, _landlords(tmp_path, llm), *extra)

    # Then it stops with the reason, having asked nothing and written nothing
    assert (code, stdout) == (1, "")
    assert stderr.startswith("pierre: error: ") and message in stderr
    assert fake.requests == [] and not out.exists()


def test_an_llm_that_understands_nothing_leaves_an_earlier_recording_alone(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    # Given an earlier recording, and an LLM that now refuses every call
    out = tmp_path / "rewrites.jsonl"
    out.write_text("earlier\n", encoding="utf-8")
    fake.script(Fail(status=400, message="model not found"))

    # When recording again
    code, _, stderr = _record(
        out, _landlords(tmp_path, ""), "--model", "gone", "--base-url", fake.base_url
    )

    # Then it fails and the earlier file is kept
    assert code == 1
    assert "pierre: error: openai:gone understood none of the 6 rows" in stderr
    assert out.read_text(encoding="utf-8") == "earlier\n"
