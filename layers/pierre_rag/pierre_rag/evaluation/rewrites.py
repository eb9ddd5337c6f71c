"""Recorded rewrites: what an LLM understood of each benchmark row, kept in a JSONL file so
``pierre eval retrieval --rewrites`` measures the LLM path of retrieval without a live key.

One object a line, one line per benchmark row at most::

    {"id": "t04", "standalone": "Quel est le préavis pour un logement meublé ?",
     "queries": ["préavis logement meublé"], "model": "openai:gpt-4o-mini",
     "recorded": "2026-11-30"}

``standalone`` is the LLM's standalone question (null when it gave none), ``queries`` the one to
three search queries retrieval runs (``Understanding.search_queries``), ``model`` who wrote them
(a model name, or ``hand-written``), ``recorded`` the day they were recorded.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import date
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from pierre_rag.evaluation.retrieval import EvalInputError
from pierre_rag.pipeline.models import Understanding
from pierre_rag.validation import describe

Query = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class RecordedRewrite(BaseModel):
    """One row's recorded understanding, as far as retrieval reads it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    standalone: str | None
    # The pipeline searches at most three queries (``Understanding.search_queries``).
    queries: list[Query] = Field(min_length=1, max_length=3)
    model: str = Field(min_length=1)
    recorded: date

    def understanding(self) -> Understanding:
        """The understanding the pipeline would hold had the LLM answered this."""
        return Understanding(
            standalone_question=self.standalone or "",
            search_queries=list(self.queries),
            source="llm",
        )


def load_rewrites(path: Path, known_ids: Collection[str]) -> dict[str, RecordedRewrite]:
    """The file's rewrites by row id; a bad line, an id twice or an id the benchmark does
    not have is an :class:`EvalInputError` naming the file and the line."""
    if not path.is_file():
        raise EvalInputError(f"rewrites file not found: {path}")
    rewrites: dict[str, RecordedRewrite] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rewrite = RecordedRewrite.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise EvalInputError(f"{path}:{number}: not valid JSON: {exc.msg}") from exc
        except ValidationError as exc:
            raise EvalInputError(f"{path}:{number}: {describe(exc)}") from exc
        if rewrite.id not in known_ids:
            raise EvalInputError(
                f"{path}:{number}: id {rewrite.id!r} is not a row of the questions file"
            )
        if rewrite.id in rewrites:
            raise EvalInputError(f"{path}:{number}: id {rewrite.id!r} is recorded twice")
        rewrites[rewrite.id] = rewrite
    return rewrites


def write_rewrites(path: Path, rewrites: Iterable[RecordedRewrite]) -> None:
    """One JSON object a line, in the order given (the benchmark's), readable by a diff."""
    lines = [json.dumps(r.model_dump(mode="json"), ensure_ascii=False) for r in rewrites]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
