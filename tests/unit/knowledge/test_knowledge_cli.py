from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pierre_rag.cli import main
from tests.unit.knowledge.fakes import FIXTURE_KNOWLEDGE

QUESTIONS = FIXTURE_KNOWLEDGE / "questions.jsonl"
METRICS = {"recall@1", "recall@3", "recall@5", "recall@10", "mrr@10", "section_recall@5"}


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def cli_datastore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    out = root / "datastore.sqlite"
    code, stdout, stderr = _run(
        "knowledge",
        "build",
        "--source",
        str(FIXTURE_KNOWLEDGE),
        "--out",
        str(out),
        "--cache",
        str(root / "cache.sqlite"),
    )
    assert code == 0, stderr
    assert "chunks" in stdout
    assert "embedding [" in stderr and "100%" in stderr  # the progress bar
    return out


def test_build_then_search_as_json(cli_datastore: Path) -> None:
    code, stdout, _ = _run(
        "knowledge",
        "search",
        "preavis logement meuble",
        "--k",
        "2",
        "--datastore",
        str(cli_datastore),
        "--format",
        "json",
    )
    assert code == 0
    payload = json.loads(stdout)
    assert len(payload["results"]) == 2
    assert payload["results"][0]["file"] == "commun/quitter-son-logement.md"
    assert "top_cosine" in payload


def test_search_access_and_landlord_flags_filter(cli_datastore: Path) -> None:
    args = ["knowledge", "search", "procédure interne impayés", "--datastore", str(cli_datastore)]
    _, public, _ = _run(*args, "--landlord", "pierre-habitat.fr", "--k", "10")
    _, staff, _ = _run(*args, "--landlord", "pierre-habitat.fr", "--access", "staff", "--k", "1")
    assert "staff/procedure-impayes.md" not in public
    assert "staff/procedure-impayes.md" in staff


def test_rebuild_reuses_the_embedding_cache(cli_datastore: Path) -> None:
    code, stdout, _ = _run(
        "knowledge",
        "build",
        "--source",
        str(FIXTURE_KNOWLEDGE),
        "--out",
        str(cli_datastore),
        "--cache",
        str(cli_datastore.parent / "cache.sqlite"),
        "--quiet",
    )
    assert code == 0
    assert "(0 embedded" in stdout


def test_eval_retrieval_prints_one_json_object(tmp_path: Path) -> None:
    code, stdout, stderr = _run(
        "eval",
        "retrieval",
        "--knowledge",
        str(FIXTURE_KNOWLEDGE),
        "--questions",
        str(QUESTIONS),
        "--format",
        "json",
        "--cache-dir",
        str(tmp_path),
    )
    assert code == 0, stderr
    report = json.loads(stdout)  # exactly one JSON document on stdout
    assert set(report) == {
        "overall",
        "overall_with_new_topic",
        "by_kind",
        "latency_ms",
        "chunks",
        "build_s",
    }
    assert set(report["overall"]) == set(report["overall_with_new_topic"]) == METRICS
    assert set(report["by_kind"]) == {
        "answerable",
        "other_language",
        "follow_up",
        "new_topic",
        "off_topic",
    }
    assert report["by_kind"]["new_topic"]["n"] == 1
    assert "recall@5" not in report["by_kind"]["off_topic"]
    assert report["by_kind"]["off_topic"]["n"] == 1
    assert report["overall"]["recall@5"] == 1.0
    assert report["chunks"] > 5 and report["latency_ms"]["p50"] > 0
    # and a second run reuses the datastore keyed by the source hash
    _, again, _ = _run(
        "eval",
        "retrieval",
        "--knowledge",
        str(FIXTURE_KNOWLEDGE),
        "--questions",
        str(QUESTIONS),
        "--cache-dir",
        str(tmp_path),
    )
    assert json.loads(again)["build_s"] == report["build_s"]


def test_bad_questions_line_names_its_line_number(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    good = QUESTIONS.read_text(encoding="utf-8").splitlines()[0]
    bad.write_text(good + "\n{not json}\n", encoding="utf-8")
    code, stdout, stderr = _run(
        "eval",
        "retrieval",
        "--knowledge",
        str(FIXTURE_KNOWLEDGE),
        "--questions",
        str(bad),
        "--cache-dir",
        str(tmp_path),
    )
    assert (code, stdout) == (1, "")
    assert f"{bad}:2: not valid JSON" in stderr


def test_invalid_question_row_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "kind": "joke", "question": "?"}\n', encoding="utf-8")
    code, _, stderr = _run(
        "eval",
        "retrieval",
        "--knowledge",
        str(FIXTURE_KNOWLEDGE),
        "--questions",
        str(bad),
    )
    assert code == 1
    assert ":1: kind" in stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["knowledge", "build", "--source", "/nonexistent", "--out", "x.sqlite"],
            "not a directory",
        ),
        (["knowledge", "search", "q", "--datastore", "/nonexistent.sqlite"], "datastore not found"),
        (
            ["eval", "retrieval", "--knowledge", "/nonexistent", "--questions", "q.jsonl"],
            "not found",
        ),
    ],
)
def test_bad_input_exits_non_zero_with_a_clear_message(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    code, _, stderr = _run(*[a.replace("x.sqlite", str(tmp_path / "x.sqlite")) for a in argv])
    assert code == 1
    assert stderr.startswith("pierre: error:") and message in stderr


def test_bad_access_level_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        _run("knowledge", "search", "q", "--access", "community,secret")
    assert exit_info.value.code == 2


def test_console_script_runs_as_a_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pierre_rag.cli", "knowledge", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "build" in result.stdout and "search" in result.stdout


def test_a_reused_datastore_reports_the_build_time_of_the_fresh_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a build whose raw duration rounds differently at 2 and at 3 decimals
    from pierre_rag.evaluation import retrieval
    from pierre_rag.knowledge.build import BuildReport
    from tests.unit.knowledge.fakes import HashEmbedder

    def fake_build(sources: object, out: Path, *args: object, **kwargs: object) -> BuildReport:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"")
        return BuildReport(out, chunks=1, embedded=1, source_hash="x", seconds=1.2349999)

    monkeypatch.setattr(retrieval, "build_datastore", fake_build)
    # When the datastore is built, then reused
    _, fresh = retrieval.ensure_datastore(FIXTURE_KNOWLEDGE, HashEmbedder(), tmp_path)
    _, reused = retrieval.ensure_datastore(FIXTURE_KNOWLEDGE, HashEmbedder(), tmp_path)
    # Then both report the same figure, whatever rounding the report applies later
    assert fresh == reused
    assert round(fresh, 2) == round(reused, 2)


@pytest.mark.parametrize("flag", ["--landlord", "--tenant"])  # compat: old name
def test_the_landlord_flag_keeps_its_old_name_as_an_alias(cli_datastore: Path, flag: str) -> None:
    # Given a staff article of one landlord
    args = ["knowledge", "search", "procédure interne impayés", "--datastore", str(cli_datastore)]

    # When searching as that landlord's staff, the landlord given by either flag
    code, stdout, _ = _run(*args, flag, "pierre-habitat.fr", "--access", "staff", "--k", "1")

    # Then the article is found
    assert code == 0 and "staff/procedure-impayes.md" in stdout


def test_a_community_only_build_leaves_out_the_landlord_folders_and_keeps_the_file_ids(
    cli_datastore: Path, tmp_path: Path
) -> None:
    out = tmp_path / "community.sqlite"
    code, _, stderr = _run(
        "knowledge",
        "build",
        "--source",
        str(FIXTURE_KNOWLEDGE),
        "--out",
        str(out),
        "--cache",
        str(tmp_path / "cache.sqlite"),
        "--quiet",
        "--community-only",
    )

    assert code == 0, stderr
    every = _files(cli_datastore)
    assert _files(out) == {file for file in every if file.startswith("commun/")}
    assert any(file.startswith("pierre-habitat.fr/") for file in every)


def _files(datastore: Path) -> set[str]:
    from pierre_rag.knowledge.sqlite import open_readonly

    db = open_readonly(datastore)
    try:
        return {str(file) for (file,) in db.execute("SELECT file FROM files")}
    finally:
        db.close()
