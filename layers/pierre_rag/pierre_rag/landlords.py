"""Landlord configuration: one YAML file per landlord, validated at load.

Files are found at load time, by scanning the landlords folder; requests only ever look a
landlord up by id in that table, so user input never becomes a file path.
Two layouts are accepted: ``<dir>/<id>/landlord.yaml`` (the repository's ``knowledge/``) and
``<dir>/<id>.yaml`` (the layer's ``/opt/landlords``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pierre_rag import yaml_text
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.phones import InvalidPhoneNumberError, normalise_phone
from pierre_rag.validation import describe

if TYPE_CHECKING:
    from pierre_rag.landlord_check import LandlordProblem

logger = logging.getLogger(__name__)

LANDLORD_ID = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)
CONTEXT_ID = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class LandlordError(LookupError):
    """Base class: the landlord or context asked for does not exist or is misconfigured."""


class UnknownLandlordError(LandlordError):
    pass


class UnknownContextError(LandlordError):
    pass


class LandlordConfigError(ValueError):
    """A landlord file is invalid; the message names the file and the fields."""


class LandlordIdMismatchError(LandlordConfigError):
    """The file's id is not its folder (or file) name: often a copied folder left unchanged."""

    def __init__(self, message: str, claimed: str) -> None:
        super().__init__(message)
        self.claimed = claimed


class InvalidLandlordError(LandlordError):
    """The landlord exists but its configuration is invalid: it is not served until fixed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Handoff(_Strict):
    """The human contact offered when the assistant cannot help."""

    label: str = Field(min_length=1, max_length=120)
    phone: str | None = Field(default=None, max_length=40)
    url: str | None = Field(default=None, pattern=r"^https?://", max_length=300)
    hours: str | None = Field(default=None, max_length=200)

    def as_short_text(self) -> str:
        """For SMS, where every character costs: who and which number."""
        return f"{self.label}, {self.phone}" if self.phone else self.as_text()

    def as_text(self) -> str:
        parts = [self.label]
        if self.phone:
            parts.append(f"tél. {self.phone}")
        if self.hours:
            parts.append(self.hours)
        if self.url:
            parts.append(self.url)
        return " — ".join(parts)


class EmergencyConfig(_Strict):
    """The landlord's on-call line (astreinte) for emergencies in a building, at any hour: it
    follows the emergency numbers in the emergency block (never the office-hours contact)."""

    on_call_phone: str = Field(min_length=2, max_length=40)

    @field_validator("on_call_phone")
    @classmethod
    def _dialable(cls, value: str) -> str:
        digits = re.sub(r"[\s.\-]", "", value.strip())
        if not re.fullmatch(r"\+?[0-9]{3,15}", digits):
            raise ValueError(
                "on_call_phone must be a phone number a tenant can dial, e.g. 01 99 00 99 99"
            )
        return " ".join(value.split())


# A context's fields the admin also edits (``pierre_rag.landlord_settings``): one definition
# of their rules for both.
Greeting = Annotated[str, Field(max_length=1000)]
Examples = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=8)]


class ContextConfig(_Strict):
    protected: bool = False
    access: list[AccessLevel] = Field(
        default_factory=lambda: [AccessLevel.COMMUNITY, AccessLevel.PUBLIC], min_length=1
    )
    audience: str = Field(default="locataires et demandeurs de logement social", max_length=500)
    persona: str = Field(default="", max_length=4000)
    greeting: Greeting = "Bonjour ! Comment puis-je vous aider ?"
    examples: Examples = Field(default_factory=list)
    show_sources: bool = True
    handoff: Handoff | None = None

    @model_validator(mode="after")
    def _staff_knowledge_needs_protection(self) -> ContextConfig:
        if AccessLevel.STAFF in self.access and not self.protected:
            raise ValueError("a context with access to staff knowledge must be protected: true")
        return self


class LlmConfig(_Strict):
    provider: Literal["openai", "bedrock"] = "openai"
    model: str = Field(min_length=1, max_length=200)
    base_url: str | None = Field(default=None, pattern=r"^https?://", max_length=300)
    fallback_model: str | None = Field(default=None, max_length=200)
    timeout_s: float = Field(default=20.0, gt=0, le=120)

    @field_validator("provider", mode="before")
    @classmethod
    def _removed_providers(cls, value: object) -> object:
        if value == "litellm":
            raise ValueError(
                "provider 'litellm' is no longer supported (its 186 MB package does not fit "
                "the layer): use provider: openai with base_url set to your LiteLLM proxy or "
                "any OpenAI-compatible endpoint (Mistral, Scaleway, OVHcloud, Groq, Ollama, "
                "vLLM…), or provider: bedrock"
            )
        return value


class SmsConfig(_Strict):
    numbers: list[str] = Field(default_factory=list, max_length=20)
    # Answers one number gets per hour; past it, one notice, then silence until the next hour.
    answers_per_hour: int = Field(default=20, ge=1, le=1000)
    # False: answers keep their spelling; a letter GSM-7 lacks (ê, ç, ô…) sends them as UCS-2,
    # 67 characters a part. True: such letters lose their accent when that makes the answer
    # GSM-7 (153 a part), about half the parts, but "Côté" reads "Coté".
    fold_accents: bool = False

    @field_validator("numbers")
    @classmethod
    def _normalise(cls, numbers: list[str]) -> list[str]:
        try:
            return [normalise_phone(number) for number in numbers]
        except InvalidPhoneNumberError as error:
            raise ValueError(str(error)) from error


class Branding(_Strict):
    primary_color: str = Field(default="#0b5fa5", pattern=r"^#[0-9a-fA-F]{6}$")
    logo_url: str | None = Field(default=None, max_length=300)

    @field_validator("logo_url")
    @classmethod
    def _safe_logo(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^(https://|/)[^\s\"'<>]*$", value):
            raise ValueError("logo_url must be an https:// URL or an absolute path")
        return value


class Widget(_Strict):
    allowed_origins: list[Annotated[str, Field(pattern=r"^https?://[^/\s]+$")]] = Field(
        default_factory=list, max_length=50
    )


class Accessibility(_Strict):
    """Who answers about the accessibility of the landlord's assistant: the contact its
    accessibility statement gives (``/api/accessibilite/<landlord>``)."""

    contact_email: str | None = Field(
        default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254
    )
    contact_url: str | None = Field(default=None, pattern=r"^https://\S+$", max_length=300)


DEFAULT_TIME_ZONE = "Europe/Paris"


class LandlordConfig(_Strict):
    id: str
    name: str = Field(min_length=1, max_length=120)
    retention_days: int = Field(default=365, ge=1, le=3650)
    # The admin's clock: displayed times and the day boundaries of lists, exports, statistics
    # (an IANA name: overseas landlords use e.g. America/Martinique, Indian/Reunion).
    time_zone: str = Field(default=DEFAULT_TIME_ZONE, max_length=64)
    sms: SmsConfig = Field(default_factory=SmsConfig)
    branding: Branding = Field(default_factory=Branding)
    widget: Widget = Field(default_factory=Widget)
    accessibility: Accessibility = Field(default_factory=Accessibility)
    llm: LlmConfig | None = None
    emergency: EmergencyConfig | None = None
    contexts: dict[str, ContextConfig]

    @field_validator("id")
    @classmethod
    def _domain_id(cls, value: str) -> str:
        if not LANDLORD_ID.match(value):
            raise ValueError(
                f"id must be the landlord's domain name, e.g. pierre-habitat.fr: {value!r}"
            )
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(
                f"time_zone must be an IANA time zone such as Europe/Paris: {value!r}"
            ) from error
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The landlord's time zone (:attr:`time_zone`)."""
        return ZoneInfo(self.time_zone)

    @field_validator("contexts")
    @classmethod
    def _has_default(cls, contexts: dict[str, ContextConfig]) -> dict[str, ContextConfig]:
        if "default" not in contexts:
            raise ValueError("contexts must define 'default'")
        bad = [name for name in contexts if not CONTEXT_ID.match(name)]
        if bad:
            raise ValueError(f"context names must be short lowercase identifiers: {bad}")
        return contexts

    def context(self, name: str | None) -> ContextConfig:
        found = self.contexts.get(name or "default")
        if found is None:
            raise UnknownContextError(f"landlord {self.id} has no context {name!r}")
        return found


def load_landlord_file(path: Path, expected_id: str) -> LandlordConfig:
    try:
        data = yaml_text.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise LandlordConfigError(f"{path}: cannot read YAML: {error}") from error
    if not isinstance(data, dict):
        raise LandlordConfigError(f"{path}: expected a mapping at the top level")
    try:
        config = LandlordConfig.model_validate(data)
    except ValidationError as error:
        raise LandlordConfigError(f"{path}: {describe(error)}") from error
    if config.id != expected_id:
        raise LandlordIdMismatchError(
            f"{path}: id {config.id!r} must equal its name {expected_id!r}", config.id
        )
    return config


# A landlord's file config → the config served (its settings edited in the admin applied).
Overlay = Callable[[LandlordConfig], LandlordConfig]


class LandlordRegistry:
    """Every landlord, loaded once (Lambda init); lookups by id or by SMS number.

    With an ``overlay`` (:meth:`with_overlay`), each lookup returns the landlord's file config
    through it: the settings edited in the admin are served without a redeploy.
    """

    def __init__(
        self,
        landlords: list[LandlordConfig],
        problems: Sequence[LandlordProblem] = (),
        overlay: Overlay | None = None,
    ) -> None:
        self.problems = list(problems)
        self._overlay = overlay
        self._invalid = {p.landlord: p for p in self.problems if p.disables_landlord}
        self._by_id: dict[str, LandlordConfig] = {}
        self._by_number: dict[str, LandlordConfig] = {}
        for landlord in landlords:
            if landlord.id in self._by_id:
                raise LandlordConfigError(f"landlord {landlord.id} is defined twice")
            self._by_id[landlord.id] = landlord
            for number in landlord.sms.numbers:
                other = self._by_number.setdefault(number, landlord)
                if other is not landlord:
                    raise LandlordConfigError(
                        f"SMS number {number} is used by {other.id} and {landlord.id}"
                    )

    @classmethod
    def from_directory(cls, directory: Path) -> LandlordRegistry:
        """The valid landlords of ``directory``; an invalid file disables its landlord only."""
        # Imported here: the checker builds on this module's models and loader.
        from pierre_rag.landlord_check import check_landlords

        check = check_landlords(directory)
        for problem in check.problems:
            logger.error("landlord configuration problem: %s", problem)
        for deprecation in check.deprecations:
            logger.warning("landlord configuration deprecation: %s", deprecation)
        return cls(check.landlords, check.problems)

    def with_problems(self, problems: Sequence[LandlordProblem]) -> LandlordRegistry:
        """The same landlords, with more problems (found at function init, e.g. the LLM)."""
        if not problems:
            return self
        for problem in problems:
            logger.error("landlord configuration problem: %s", problem)
        disabled = {p.landlord for p in problems if p.disables_landlord}
        kept = [landlord for landlord in self._by_id.values() if landlord.id not in disabled]
        return LandlordRegistry(kept, [*self.problems, *problems], self._overlay)

    def with_overlay(self, overlay: Overlay) -> LandlordRegistry:
        """The same landlords, each looked up through ``overlay``
        (:class:`pierre_rag.landlord_overrides.LandlordOverrides`)."""
        return LandlordRegistry(list(self._by_id.values()), self.problems, overlay)

    @property
    def ids(self) -> list[str]:
        """The landlords served (invalid ones are left out)."""
        return sorted(self._by_id)

    @property
    def invalid_ids(self) -> list[str]:
        return sorted(set(self._invalid) - set(self._by_id))

    def get(self, landlord_id: str) -> LandlordConfig:
        """The landlord served: its file's config, through the overlay when there is one."""
        landlord = self.from_file(landlord_id)
        return self._overlay(landlord) if self._overlay else landlord

    def from_file(self, landlord_id: str) -> LandlordConfig:
        """The landlord's config as its file gives it (the seed the admin's edits apply to)."""
        landlord = self._by_id.get(landlord_id)
        if landlord is None:
            if landlord_id in self._invalid:
                raise InvalidLandlordError(
                    f"landlord {landlord_id!r} is not served: {self._invalid[landlord_id].kind}"
                )
            raise UnknownLandlordError(f"unknown landlord {landlord_id[:100]!r}")
        return landlord

    def by_sms_number(self, number: str) -> LandlordConfig | None:
        try:
            landlord = self._by_number.get(normalise_phone(number))
        except InvalidPhoneNumberError:
            return None
        return self._overlay(landlord) if landlord and self._overlay else landlord
