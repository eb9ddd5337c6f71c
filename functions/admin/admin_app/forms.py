"""Form and query models: everything a request sends is validated here (pydantic)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DAY = r"^\d{4}-\d{2}-\d{2}$"
CONVERSATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class _Form(BaseModel):
    model_config = ConfigDict(extra="ignore", str_max_length=100_000)

    csrf: str = Field(default="", max_length=256)


class LoginForm(_Form):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class PasswordForm(_Form):
    current: str = Field(max_length=256)
    new: str = Field(max_length=256)
    confirm: str = Field(max_length=256)


class CreateUserForm(_Form):
    email: str = Field(max_length=254)
    role: str = Field(max_length=40)
    name: str = Field(default="", max_length=120)
    mode: Literal["generate", "set"] = "generate"
    password: str = Field(default="", max_length=256)


class UserForm(_Form):
    email: str = Field(max_length=254)


class UserRoleForm(UserForm):
    role: str = Field(max_length=40)


class ImportForm(_Form):
    csv_text: str = Field(default="", max_length=100_000)
    action: Literal["preview", "confirm"] = "preview"


class ScoreForm(_Form):
    score: int = Field(ge=0, le=3)
    comment: str = Field(default="", max_length=1000)


class CsrfForm(_Form):
    pass


class HandledForm(_Form):
    # one item of the group (``<conversation id>#<message id>``)
    item: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,128}#[A-Za-z0-9._:-]{1,128}$")


class ValidatedForm(_Form):
    question: str = Field(min_length=1, max_length=2000)
    answer: str = Field(min_length=1, max_length=6000)


class FailedSmsForm(_Form):
    message_id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,128}$")


class ConversationFilters(BaseModel):
    model_config = ConfigDict(extra="ignore")

    day: str | None = Field(default=None, pattern=DAY)
    channel: Literal["", "web", "sms"] = ""
    score: Literal["", "none", "0", "1", "2", "3", "up", "down"] = ""
    # staff's scores of the answers: any scored, none scored, one scored ≤ n
    answers: Literal["", "scored", "unscored", "le0", "le1", "le2"] = ""
    context: str = Field(default="", max_length=32, pattern=r"^[a-z0-9_-]*$")
    after: str = Field(default="", max_length=160, pattern=r"^(\d{13}:[A-Za-z0-9._:-]{1,128})?$")

    @field_validator("day", mode="before")
    @classmethod
    def _blank_day(cls, value: object) -> object:
        return None if value == "" else value


class RangeQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    start: str | None = Field(default=None, pattern=DAY)
    end: str | None = Field(default=None, pattern=DAY)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if value == "" else value


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    q: str = Field(default="", max_length=500)
    context: str = Field(default="default", max_length=32, pattern=r"^[a-z0-9_-]*$")
    k: int = Field(default=8, ge=1, le=20)


# --- knowledge publishing (#17) ---------------------------------------------------------------
SOURCE_PATH_FIELD = r"^(public|staff)/[a-z0-9][a-z0-9-]{0,79}\.md$"
MAX_MARKDOWN_CHARS = 200_000  # pierre_rag.publishing.drafts checks it again with its reason


class UploadForm(_Form):
    access: Literal["public", "staff"] = "public"
    # an existing source to replace; "" for a new file named after the upload
    target: str = Field(default="", max_length=120)


class DraftForm(_Form):
    """A source on its way to publication: what the preview page carries back."""

    path: str = Field(pattern=SOURCE_PATH_FIELD)
    markdown: str = Field(max_length=MAX_MARKDOWN_CHARS)
    replace: bool = False


class EditForm(_Form):
    """The editor: an existing ``path``, or a new page's ``access`` and ``name``."""

    path: str = Field(default="", max_length=120)
    access: Literal["public", "staff"] = "public"
    name: str = Field(default="", max_length=120)
    markdown: str = Field(max_length=MAX_MARKDOWN_CHARS)


class SourceForm(_Form):
    path: str = Field(pattern=SOURCE_PATH_FIELD)


class RestoreForm(SourceForm):
    version: str = Field(pattern=r"^[A-Za-z0-9._-]{1,1024}$")


class ControlForm(_Form):
    question: str = Field(max_length=300)
    expected_file: str = Field(max_length=200)


class ControlIdForm(_Form):
    control_id: str = Field(pattern=r"^[a-z0-9]{8,32}$")


class BuildForm(_Form):
    build_id: str = Field(pattern=r"^[0-9a-z]{8,40}$")


# --- tenants' data requests (RGPD) ------------------------------------------------------------
PHONE_HASH = re.compile(r"^tel_[0-9a-f]{32}$")


class DataRequestForm(_Form):
    """What the tenant gave: an SMS number or a conversation id (one of them)."""

    phone: str = Field(default="", max_length=40)
    conversation: str = Field(default="", max_length=128)


class DataSubjectForm(_Form):
    """The subject found by a search, carried by the export and erase forms: a number's keyed
    hash, never the number itself."""

    kind: Literal["phone", "conversation"]
    key: str = Field(max_length=128)

    @model_validator(mode="after")
    def _key_fits_kind(self) -> DataSubjectForm:
        pattern = PHONE_HASH if self.kind == "phone" else CONVERSATION_ID
        if not pattern.match(self.key):
            raise ValueError("not a subject of that kind")
        return self
