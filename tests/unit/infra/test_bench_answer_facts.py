"""infra/bench_answer_facts.py: what counts as an answer holding its fact, and the rows' format."""

from __future__ import annotations

import json
from pathlib import Path

import bench_answer_facts
import pytest

from pierre_rag.knowledge.models import AccessLevel, SearchResponse, SearchResult

FACTS = Path(bench_answer_facts.__file__).resolve().parents[1] / "tests/bench/answer_facts.jsonl"


def test_a_fact_is_found_whatever_the_accents_case_apostrophes_and_markdown() -> None:
    answer = (
        "**Quand mon dépôt est-il rendu ?** [1]\n\nLe remplacement des **clés\n perdues** l’est."
    )

    assert bench_answer_facts.holds_fact(answer, ["cles perdues", "l'est"])
    assert bench_answer_facts.holds_fact(answer, ["absent", "Clés Perdues"])
    assert not bench_answer_facts.holds_fact(answer, ["cles volees"])


def test_the_shipped_rows_each_have_a_question_and_facts() -> None:
    rows = bench_answer_facts.load_rows(FACTS)

    assert len(rows) >= 20
    assert len({row["id"] for row in rows}) == len(rows)


@pytest.mark.parametrize(
    "row", [{"question": "q ?"}, {"facts": ["x"]}, {"question": "q", "facts": []}]
)
def test_a_row_without_question_or_facts_is_refused_with_its_line(tmp_path, row) -> None:
    path = tmp_path / "facts.jsonl"
    path.write_text(
        json.dumps({"id": "a", "question": "q", "facts": ["x"]}) + "\n" + json.dumps(row)
    )

    with pytest.raises(SystemExit, match=r"facts.jsonl:2: a row needs a question and facts"):
        bench_answer_facts.load_rows(path)


class _Knowledge:
    """The search, answering the same sections whatever is asked."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts

    def search(self, query: str, *, k: int, landlord: str) -> SearchResponse:
        results = [
            SearchResult(
                chunk_id=n,
                file="commun/x.md",
                title="X",
                heading_path=["X"],
                headings=["X"],
                text=text,
                access=AccessLevel.COMMUNITY,
                landlord=None,
                score=1.0 / n,
            )
            for n, text in enumerate(self.texts[:k], start=1)
        ]
        return SearchResponse(results=results, top_cosine=0.5, queries=[query])


def test_the_fact_rank_is_that_of_the_first_section_holding_it() -> None:
    knowledge = _Knowledge(["Rien ici.", "Les clés perdues sont à votre charge.", "Clés perdues."])
    row = {"question": "j'ai perdu mes clés", "facts": ["cles perdues"]}

    assert bench_answer_facts.fact_rank(knowledge, row) == 2
    assert bench_answer_facts.fact_rank(knowledge, row, depth=1) is None
