"""The retrieval eval on the shared third-party corpus (slow: builds ~2,700 chunks)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from pierre_rag.cli import main
from pierre_rag.knowledge.cache import default_cache_dir

SHARED = Path(os.environ.get("PIERRE_SHARED_DIR", Path(__file__).resolve().parents[4] / "shared"))
CORPUS = SHARED / "corpus" / "pierre-knowledge"
QUESTIONS = SHARED / "bench" / "questions.dev.jsonl"


@pytest.mark.slow
@pytest.mark.skipif(not (CORPUS.is_dir() and QUESTIONS.is_file()), reason="shared corpus absent")
def test_eval_on_the_shared_corpus_prints_the_expected_json() -> None:
    # the user cache: datastore and embeddings are content-addressed, so re-runs take seconds
    cache_dir = default_cache_dir()
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "eval",
            "retrieval",
            "--knowledge",
            str(CORPUS),
            "--questions",
            str(QUESTIONS),
            "--format",
            "json",
            "--cache-dir",
            str(cache_dir),
        ],
        stdout=out,
        stderr=err,
    )
    assert code == 0, err.getvalue()
    report = json.loads(out.getvalue())
    assert set(report) == {
        "overall",
        "overall_with_new_topic",
        "by_kind",
        "latency_ms",
        "chunks",
        "build_s",
    }
    assert {"answerable", "other_language", "follow_up", "new_topic"} <= set(report["by_kind"])
    assert all(0.0 <= v <= 1.0 for v in report["overall"].values())
    assert report["chunks"] > 1000
