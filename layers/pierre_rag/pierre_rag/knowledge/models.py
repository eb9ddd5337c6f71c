"""Pydantic models at the package edges: front matter, search results, datastore metadata."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

LANDLORD_PATTERN = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)
SCHEMA_VERSION = 3  # 2: the chunks' landlord column got its name (issue #14); 3: files table
OLD_LANDLORD_KEY = "tenant"  # compat: old name of the front matter's landlord key


class AccessLevel(StrEnum):
    """Who may read a chunk. ``community`` is shared by every landlord."""

    COMMUNITY = "community"
    PUBLIC = "public"
    STAFF = "staff"


DEFAULT_ACCESS: tuple[AccessLevel, ...] = (AccessLevel.COMMUNITY, AccessLevel.PUBLIC)


def looks_like_landlord(name: str) -> bool:
    """A landlord folder is named after its domain, e.g. ``pierre-habitat.fr``."""
    return bool(LANDLORD_PATTERN.match(name))


class FrontMatter(BaseModel):
    """The YAML header of a knowledge file. Unknown keys (title, tags…) are allowed."""

    model_config = ConfigDict(extra="allow", frozen=True)

    access: AccessLevel | None = None
    # Files written before the rename use the old key.
    landlord: str | None = Field(
        default=None, validation_alias=AliasChoices("landlord", OLD_LANDLORD_KEY)
    )

    @field_validator("landlord")
    @classmethod
    def _landlord_is_domain(cls, value: str | None) -> str | None:
        if value is not None and not looks_like_landlord(value):
            raise ValueError(
                f"landlord must look like a domain name (e.g. pierre-habitat.fr), got {value!r}"
            )
        return value


class SearchResult(BaseModel):
    """One retrieved chunk with the scores that ranked it."""

    model_config = ConfigDict(frozen=True)

    chunk_id: int
    file: str
    title: str
    heading_path: list[str]
    headings: list[str] = Field(description="heading_path plus the headings of folded sub-sections")
    text: str
    access: AccessLevel
    landlord: str | None
    score: float = Field(description="fused score (higher is better)")
    bm25_rank: int | None = None
    dense_rank: int | None = None
    cosine: float | None = Field(default=None, description="dense cosine similarity to the query")

    @property
    def breadcrumb(self) -> str:
        return " > ".join([self.title, *self.heading_path])


class Closeness(BaseModel):
    """How close one query came to the knowledge and to the topics the assistant covers or
    not: the scope signals of :class:`SearchResponse`, for the message alone."""

    model_config = ConfigDict(frozen=True)

    top_cosine: float
    scope_cosine: float
    elsewhere_cosine: float


class SearchResponse(BaseModel):
    """Ranked results plus the top-1 dense cosine (an out-of-scope signal for the pipeline)."""

    model_config = ConfigDict(frozen=True)

    results: list[SearchResult]
    top_cosine: float = Field(description="best dense cosine over visible chunks, 0 when none")
    queries: list[str]
    scope_cosine: float = Field(
        default=0.0, description="best cosine to a topic the assistant covers (knowledge.scope)"
    )
    elsewhere_cosine: float = Field(
        default=0.0, description="best cosine to a subject the assistant does not cover"
    )
    alone: Closeness | None = Field(
        default=None,
        description="the message's own closeness, when it was searched with the turn before too",
    )
    follow_up: float | None = Field(
        default=None,
        description="how much the message reads as a follow-up (knowledge.followup), 0 to 1",
    )
    heading_idf: float = Field(
        default=0.0,
        description="the rarest of the message's word stems (log of chunks over its document "
        "frequency) that the own heading of one of the first three results holds; 0 when none",
    )
    acronyms: list[str] = Field(
        default_factory=list,
        description="the acronyms the knowledge defines that the message names (folded)",
    )

    @property
    def closeness(self) -> Closeness:
        """The search's own scope signals (with the turn before, when it was searched too)."""
        return Closeness(
            top_cosine=self.top_cosine,
            scope_cosine=self.scope_cosine,
            elsewhere_cosine=self.elsewhere_cosine,
        )


class DatastoreMeta(BaseModel):
    """What the ``meta`` table records about how a datastore was built."""

    model_config = ConfigDict(frozen=True)

    embedding_model: str
    dims: int
    source_hash: str
    build_date: str
    chunk_count: int
    schema_version: int
    # a landlord's datastore: the source hash of the community datastore its community
    # chunks were copied from ("" for a datastore built from folders)
    community_hash: str = ""
