"""Request and response bodies of the chat API (documented in its OpenAPI schema)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from pierre_rag.limits import MAX_MESSAGE_CHARS


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# The landlord field's first name, still accepted from pages loaded before the rename.
OLD_LANDLORD_FIELD = "tenant"  # compat: old name


class MessageIn(_In):
    landlord: str = Field(
        min_length=3,
        max_length=253,
        examples=["pierre-habitat.fr"],
        validation_alias=AliasChoices("landlord", OLD_LANDLORD_FIELD),
    )
    context: str = Field(default="default", min_length=1, max_length=32)
    message_id: UUID = Field(
        description="Client-generated; a retry with the same id is answered once"
    )
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)

    @field_validator("text")
    @classmethod
    def _no_control_characters(cls, text: str) -> str:
        cleaned = "".join(c for c in text if c in "\n\t" or c.isprintable())
        if not cleaned.strip():
            raise ValueError("the message is empty")
        return cleaned


class FeedbackIn(_In):
    landlord: str = Field(
        min_length=3, max_length=253, validation_alias=AliasChoices("landlord", OLD_LANDLORD_FIELD)
    )
    context: str = Field(default="default", min_length=1, max_length=32)
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=1000)


class SourceOut(BaseModel):
    number: int
    title: str
    heading: str
    excerpt: str = ""
    url: str | None = Field(
        default=None, description="The article a tenant may open (none for a staff file)"
    )


class TurnOut(BaseModel):
    role: Literal["user", "assistant"]
    content: str
    created_ms: int
    message_id: str
    sources: list[SourceOut] = Field(default_factory=list)
    outcome: str | None = None


class HistoryOut(BaseModel):
    conversation_id: UUID
    turns: list[TurnOut]
    feedback: Literal["up", "down"] | None = None


class HandoffOut(BaseModel):
    label: str
    phone: str | None = None
    url: str | None = None
    hours: str | None = None


class WidgetOriginOut(BaseModel):
    """Whether the widget may open its window on the asking page's origin."""

    origin: str | None
    allowed: bool


class ChatConfigOut(BaseModel):
    landlord: str
    name: str
    context: str
    greeting: str
    examples: list[str]
    primary_color: str
    logo_url: str | None
    protected: bool
    authenticated: bool
    show_sources: bool
    handoff: HandoffOut | None
    max_message_chars: int = MAX_MESSAGE_CHARS


class ErrorOut(BaseModel):
    detail: str
