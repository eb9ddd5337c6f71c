"""What the publishing lifecycle records: source files, changes, control questions, builds and
the pointer to a landlord's live datastore."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pierre_rag.knowledge.models import AccessLevel

# A landlord source: its access folder, then a short lowercase slug (the admin derives it from
# the uploaded file's name). The same layout as ``knowledge/<landlord>/public/…``.
SOURCE_PATH = re.compile(r"^(public|staff)/[a-z0-9][a-z0-9-]{0,79}\.md$")
# Datastore versions are content-addressed: 16 hex digits of the build's source hash.
VERSION = re.compile(r"^[0-9a-f]{16}$")
KEEP_VERSIONS = 5  # published datastores kept for rollback; older objects are deleted


def checked_source_path(path: str) -> str:
    """``path`` when it is a source path (``public/<slug>.md`` or ``staff/<slug>.md``);
    ValueError otherwise, before anything is read or stored."""
    if not SOURCE_PATH.match(path):
        raise ValueError(f"not a source path (public/<slug>.md or staff/<slug>.md): {path!r}")
    return path


def source_access(path: str) -> AccessLevel:
    """The access level a source path's folder gives (``public/…`` or ``staff/…``)."""
    return AccessLevel(path.split("/", 1)[0])


def datastore_key(landlord: str, version: str) -> str:
    """The immutable S3 object of one built datastore."""
    return f"datastores/{landlord}/{version}.sqlite"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceFile(_Record):
    """One version of one landlord source file (the current one unless listed as history)."""

    landlord: str
    path: str = Field(pattern=SOURCE_PATH.pattern)
    version_id: str  # S3's version id
    size: int = Field(ge=0)
    modified_ms: int = Field(ge=0)
    modified_by: str = ""  # staff e-mail; "seed" for files copied from knowledge/<landlord>/
    deleted: bool = False  # a delete marker, in history only

    @property
    def access(self) -> AccessLevel:
        return source_access(self.path)


class ChangeAction(StrEnum):
    UPLOAD = "upload"  # a new file
    REPLACE = "replace"  # a new version of an existing file (upload or edit)
    DELETE = "delete"
    SEED = "seed"  # copied from knowledge/<landlord>/ at first deployment
    BUILD_REQUESTED = "build-requested"
    PUBLISH = "publish"  # the pointer moved to a new build
    CONFIRM = "confirm"  # an administrator published a build held by its control questions
    ROLLBACK = "rollback"  # the pointer moved back to a kept build
    CONTROL_ADDED = "control-added"
    CONTROL_DELETED = "control-deleted"
    SETTINGS = "settings"  # the landlord's settings were edited


class Change(_Record):
    """Who did what, when, with the versions before and after: the history the admin shows."""

    landlord: str
    at_ms: int = Field(ge=0)
    actor: str  # staff e-mail, "seed" or "system"
    action: ChangeAction
    path: str = ""  # the source file, when the change is about one
    version_id: str = ""  # the new S3 version, or the datastore version for build actions
    previous_version_id: str = ""  # what it replaced ("" when nothing)
    detail: str = Field(default="", max_length=500)


class ControlQuestion(_Record):
    """A question whose answer must keep coming from ``expected_file`` (a source path of the
    landlord, or a community file) after every build."""

    landlord: str
    id: str = Field(pattern=r"^[a-z0-9]{8,32}$")
    question: str = Field(min_length=3, max_length=300)
    expected_file: str = Field(min_length=1, max_length=200)
    created_ms: int = Field(ge=0)
    created_by: str

    @field_validator("question")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        value = value.strip()
        if len(value) < 3:
            raise ValueError("la question est trop courte")
        return value


class ControlResult(_Record):
    question: str
    expected_file: str
    rank: int | None  # the expected file's rank among the top 5 files, None: lost
    found: list[str] = Field(default_factory=list)  # the files that came back, best first

    @property
    def passed(self) -> bool:
        return self.rank is not None


class BuildStatus(StrEnum):
    QUEUED = "queued"
    BUILDING = "building"
    PUBLISHED = "published"  # the pointer moved to it
    HELD = "held"  # a control question was lost: published only if an administrator confirms
    UNCHANGED = "unchanged"  # the sources give the live version already: nothing to do
    FAILED = "failed"


class Build(_Record):
    """One build request and what became of it. Its ``version`` is known once the sources
    are read (same sources and code → same version: a repeated request changes nothing)."""

    landlord: str
    id: str = Field(pattern=r"^[0-9a-z]{8,40}$")  # the request's id (sorts by time)
    version: str = Field(default="", pattern=r"^([0-9a-f]{16})?$")
    status: BuildStatus
    requested_ms: int = Field(ge=0)
    requested_by: str
    finished_ms: int | None = None
    chunks: int = 0  # of the landlord (community chunks not counted)
    embedded: int = 0  # chunks embedded by this build (the others came from the cache)
    seconds: float = 0.0
    controls: list[ControlResult] = Field(default_factory=list)
    error: str = ""
    object_key: str = ""  # datastore_key(landlord, version) once uploaded; "" once pruned
    community_hash: str = ""  # the community datastore it was built over
    expired: bool = False  # its datastore was deleted (kept versions): no longer published

    @property
    def lost_controls(self) -> list[ControlResult]:
        return [result for result in self.controls if not result.passed]


class Pointer(_Record):
    """Which datastore serves a landlord now."""

    landlord: str
    version: str = Field(pattern=VERSION.pattern)
    object_key: str
    published_ms: int = Field(ge=0)
    published_by: str
    community_hash: str = ""  # the community datastore it was built over (stale after a deploy)


class BuildMessage(_Record):
    """The body of one build request on the build queue (JSON): the knowledge-build function
    parses it; the queue's group is the landlord and its deduplication id the build id."""

    landlord: str = Field(min_length=1, max_length=128)
    build_id: str = Field(pattern=r"^[0-9a-z]{8,40}$")
    actor: str = Field(min_length=1, max_length=320)
