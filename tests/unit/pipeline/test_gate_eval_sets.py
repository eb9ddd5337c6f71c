"""The gate on the .eval sets, written last and never tuned on, with the real embedder (slow:
loads the model and builds the datastore of ``knowledge/`` once, then reuses the cache)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from bench_gate import load_rows, local_pipeline, refused

REPO = Path(__file__).resolve().parents[3]
BENCH = REPO / "tests" / "bench"


@pytest.mark.slow
def test_no_tenant_is_refused_and_nine_off_topic_questions_in_ten_are() -> None:
    # given the project's knowledge, and the housing and off-topic .eval sets
    pipeline, kb = local_pipeline(REPO / "knowledge")
    housing = load_rows(BENCH / "gate_in_scope.eval.jsonl", False)
    elsewhere = load_rows(BENCH / "gate_off_topic.eval.jsonl", True)

    # when each message is asked fresh (a conversation of its own), without an LLM
    async def refusals() -> list[str]:
        rows = enumerate([*housing, *elsewhere])
        return [
            row_id for i, (row_id, _, text, _) in rows if (await refused(pipeline, kb, text, i))[0]
        ]

    refused_ids = asyncio.run(refusals())
    wrongly_refused = [row_id for row_id, *_ in housing if row_id in refused_ids]
    rightly_refused = [row_id for row_id, *_ in elsewhere if row_id in refused_ids]

    # then no housing question is refused, and at least 90 % of the others are
    assert len(housing) >= 70 and len(elsewhere) >= 50
    assert wrongly_refused == []
    assert len(rightly_refused) >= 0.9 * len(elsewhere)
