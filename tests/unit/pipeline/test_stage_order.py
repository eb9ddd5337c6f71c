"""The README's flow is the code's flow: the stages it names, in bold with their module, are
the modules Pipeline.stream calls, in that order."""

from __future__ import annotations

import asyncio
import functools
import inspect
import re
from collections.abc import Callable
from typing import Any

from pierre_rag.pipeline import Pipeline, TurnRequest, answer
from pierre_rag.pipeline.persist import TurnRecorder
from pierre_rag.storage.memory import MemoryConversations
from tests.helpers import REPO_ROOT

# "**gate** (`gate.py`: …": a stage in bold, then its module in parentheses
DOCUMENTED_STAGE = re.compile(r"\*\*(\w+)\*\*[^(*]*?\(`(\w+)\.py`")


def _documented_modules() -> list[str]:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Answers\n", 1)[1].split("\n## ", 1)[0]
    return [module for _stage, module in DOCUMENTED_STAGE.findall(section)]


def _spy(function: Callable[..., Any], calls: list[str]) -> Callable[..., Any]:
    module = function.__module__.rsplit(".", 1)[-1]

    @functools.wraps(function)
    def called(*args: Any, **kwargs: Any) -> Any:
        calls.append(module)
        return function(*args, **kwargs)

    return called


def _in_order(expected: list[str], calls: list[str]) -> bool:
    remaining = iter(calls)
    return all(stage in remaining for stage in expected)


def test_the_readme_names_the_stages_in_the_order_the_pipeline_calls_them(
    registry, knowledge, monkeypatch
):
    # Given the stage modules the README names, and a spy on each stage the pipeline calls
    documented = _documented_modules()
    calls: list[str] = []
    for name, value in list(vars(answer).items()):
        if inspect.isfunction(value) and value.__module__.rsplit(".", 1)[-1] in documented:
            monkeypatch.setattr(answer, name, _spy(value, calls))
    for method in ("record_question", "record_answer"):
        monkeypatch.setattr(TurnRecorder, method, _spy(getattr(TurnRecorder, method), calls))
    pipeline = Pipeline(
        registry,
        knowledge,
        MemoryConversations(),
        llm_for=lambda landlord: None,
    )

    # When a question is answered from the knowledge
    result = asyncio.run(
        pipeline.answer(
            TurnRequest(
                landlord="exemple-hlm.fr",
                conversation_id="conv-1",
                message_id="m1",
                text="qui paie l'entretien de la chaudière ?",
            )
        )
    )

    # Then every stage the README names ran, in its order, and no other stage module did
    assert result.sources
    assert documented == ["understanding", "gate", "retrieve", "compose", "persist"]
    assert _in_order(documented, calls), calls
    assert set(calls) == set(documented)
