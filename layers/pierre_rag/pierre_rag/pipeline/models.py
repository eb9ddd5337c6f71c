"""The pipeline's inputs, intermediate understanding and outputs."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pierre_rag.channel import Channel
from pierre_rag.limits import MAX_MESSAGE_CHARS


class Outcome(StrEnum):
    ANSWERED = "answered"
    OFF_TOPIC = "off_topic"
    ABUSIVE = "abusive"
    NOTHING_FOUND = "nothing_found"
    HANDOFF = "handoff"  # the message asked for a person: the landlord's contact (pipeline.person)
    ERROR = "error"


# "understanding": the local heuristic understood instead; "generation": the answer was
# extractive instead (before the first word); "generation_mid_answer": the answer was cut short.
LlmFailure = Literal["understanding", "generation", "generation_mid_answer"]


class TurnRequest(BaseModel):
    """One user message to answer. ``staff`` is set by the caller after checking a session."""

    model_config = ConfigDict(frozen=True)

    landlord: str
    context: str = "default"
    channel: Channel = "web"
    conversation_id: str = Field(min_length=1, max_length=100)
    message_id: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    staff: bool = False
    extra_meta: dict[str, str] = Field(default_factory=dict)


class Understanding(BaseModel):
    """What one structured LLM call (or the local heuristic) understood of the message."""

    language: str = Field(default="fr", pattern=r"^[a-z]{2}$")
    in_scope: bool = True
    abusive: bool = False
    standalone_question: str = Field(default="", max_length=MAX_MESSAGE_CHARS)
    search_queries: list[str] = Field(default_factory=list, max_length=3)
    source: Literal["llm", "heuristic"] = "heuristic"

    @field_validator("language", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower()[:2] if isinstance(value, str) else value

    @field_validator("standalone_question", mode="before")
    @classmethod
    def _clip(cls, value: object) -> object:
        # The heuristic copies the message (at most MAX_MESSAGE_CHARS); an LLM rewrite
        # running longer is cut rather than thrown away.
        return value[:MAX_MESSAGE_CHARS] if isinstance(value, str) else value

    @field_validator("search_queries")
    @classmethod
    def _non_empty(cls, queries: list[str]) -> list[str]:
        return [q.strip()[:300] for q in queries if q and q.strip()]


class Source(BaseModel):
    """A numbered source shown to the user (``[1]`` in the answer)."""

    number: int
    file: str
    title: str
    heading: str
    breadcrumb: str
    excerpt: str = ""
    # The article a tenant can open (``knowledge.articles``); None for a staff file
    url: str | None = None

    @property
    def heading_path(self) -> list[str]:
        """The breadcrumb's parts: the article's title, then the headings down to this one."""
        return [part.strip() for part in self.breadcrumb.split(" > ") if part.strip()]


class StepTimings(BaseModel):
    history_ms: float = 0.0
    understanding_ms: float = 0.0
    retrieval_ms: float = 0.0
    generation_ms: float = 0.0
    persistence_ms: float = 0.0
    llm_ms: float = 0.0
    total_ms: float = 0.0

    @property
    def non_llm_ms(self) -> float:
        return max(0.0, self.total_ms - self.llm_ms)


class AnswerResult(BaseModel):
    text: str
    outcome: Outcome
    language: str
    sources: list[Source] = Field(default_factory=list)
    mode: Literal["llm", "extractive", "fixed", "validated"] = "fixed"
    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_round_trips: int = 0
    cost_usd: float = 0.0
    timings: StepTimings = Field(default_factory=StepTimings)
    replayed: bool = False
    emergencies: list[str] = Field(default_factory=list)  # intents the emergency block is for
    # The numbers of the sources an extractive answer quotes (the others are offered to read)
    quoted: list[int] = Field(default_factory=list)
    # The LLM calls that failed, by stage (:mod:`pierre_rag.pipeline.signals` reads them)
    llm_failures: list[LlmFailure] = Field(default_factory=list)


class PipelineEvent(BaseModel):
    """What the pipeline streams: text deltas, then sources, then done (or error)."""

    type: Literal["delta", "sources", "done", "error"]
    text: str = ""
    sources: list[Source] = Field(default_factory=list)
    result: AnswerResult | None = None
