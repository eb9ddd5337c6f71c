"""Record what the configured LLM understands of each benchmark row (``pierre eval
record-rewrites``): the pipeline's own understanding call (``pipeline.understanding.understand``,
same prompt, same validation), so a maintainer with a key records once and
``pierre eval retrieval --rewrites`` measures the LLM path of retrieval from then on, offline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from pierre_rag.evaluation.retrieval import BenchQuestion, EvalInputError, history_turns
from pierre_rag.evaluation.rewrites import RecordedRewrite
from pierre_rag.landlords import LandlordError, LandlordRegistry, LlmConfig
from pierre_rag.llm import LlmClient
from pierre_rag.llm.factory import build_llm
from pierre_rag.pipeline.understanding import understand
from pierre_rag.validation import describe


class NoLlmError(EvalInputError):
    """No LLM to record with: none configured, ``PIERRE_LLM=off``, or no key for it."""


@dataclass
class Recording:
    """The rows the LLM understood, and why each other row has no recording."""

    rewrites: list[RecordedRewrite] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # row id → reason


def recording_config(
    landlords: Path, landlord: str | None, model: str | None, base_url: str | None
) -> LlmConfig:
    """``--model`` (with ``--base-url``) names an OpenAI-compatible model outright; without
    it, the landlord's ``llm`` (the first landlord's by default), ``--base-url`` overriding
    its endpoint."""
    try:
        if model:
            return LlmConfig(model=model, base_url=base_url)
        registry = LandlordRegistry.from_directory(landlords)
        if not registry.ids:
            raise NoLlmError(f"no valid landlord in {landlords}")
        config = registry.get(landlord or registry.ids[0]).llm
        if config is None:
            raise NoLlmError(
                f"landlord {landlord or registry.ids[0]} has no llm configured (or pass --model)"
            )
        if base_url:
            return LlmConfig.model_validate({**config.model_dump(), "base_url": base_url})
        return config
    except ValidationError as error:
        raise EvalInputError(f"LLM configuration: {describe(error)}") from error
    except LandlordError as error:
        raise NoLlmError(str(error)) from error


def recording_llm(config: LlmConfig) -> LlmClient:
    """The client the pipeline would build for ``config`` (the key from the environment)."""
    llm = build_llm(config)
    if llm is None:
        raise NoLlmError(
            f"no LLM for {config.provider}:{config.model}: PIERRE_LLM is off, or no API key "
            "(OPENAI_API_KEY or PIERRE_LLM_API_KEY) and no base_url"
        )
    return llm


async def record_rewrites(
    questions: Sequence[BenchQuestion], llm: LlmClient, *, recorded: date
) -> Recording:
    """Each row's understanding by ``llm``, one call at a time; a row the LLM did not
    understand (call failed, invalid JSON twice, no search query) is skipped with its reason,
    so the retrieval eval searches it as the pipeline would then: without an LLM."""
    recording = Recording()
    for question in questions:
        outcome = await understand(question.question, history_turns(question), llm)
        understanding = outcome.understanding
        if understanding.source != "llm":
            recording.skipped[question.id] = "no usable answer (call failed or invalid JSON)"
            continue
        if not understanding.search_queries:
            recording.skipped[question.id] = "no search query (read as out of scope?)"
            continue
        recording.rewrites.append(
            RecordedRewrite(
                id=question.id,
                standalone=understanding.standalone_question or None,
                queries=understanding.search_queries,
                model=outcome.model or llm.name,
                recorded=recorded,
            )
        )
    return recording
