"""The settings page's form: the text fields an administrator fills, to and from the layer's
:class:`~pierre_rag.landlord_settings.LandlordSettingsEdit`, and its validation errors in French,
each under its field.

The form keeps what was typed as typed (lists one item per line), so that a refused or
concurrent submission shows the administrator's own values again, never the stored ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from pierre_rag.landlord_settings import LandlordSettingsEdit
from pierre_rag.landlords import LandlordConfig

HANDOFF_FIELDS = ("label", "phone", "url", "hours")
# What a refused pattern means, per field (the pydantic message names a regular expression)
PATTERN_HINTS = {
    "primary_color": "une couleur au format #RRGGBB, par exemple #0b5fa5",
    "allowed_origins": "une origine de la forme https://www.exemple.fr, sans chemin ni / final",
    "handoff_url": "une adresse commençant par https:// ou http://",
    "accessibility_email": "une adresse e-mail de la forme nom@exemple.fr",
    "accessibility_url": "une adresse commençant par https://",
}
VALUE_HINTS = {
    "logo_url": "une adresse https://… ou un chemin commençant par /",
}
# What each part of the settings is called in the history
PART_LABELS = {
    "branding": "couleur et logo",
    "widget": "origines du widget",
    "greeting": "accueil",
    "examples": "exemples",
    "handoff": "contact",
    "accessibility": "contact accessibilité",
}
# The statement's contact: form field → the field of ``Accessibility``
ACCESSIBILITY_FIELDS = {"accessibility_email": "contact_email", "accessibility_url": "contact_url"}


@dataclass
class ContextFields:
    """One chat context's fields, as typed."""

    name: str
    audience: str
    protected: bool
    greeting: str = ""
    examples: str = ""  # one per line
    handoff: dict[str, str] = field(default_factory=lambda: dict.fromkeys(HANDOFF_FIELDS, ""))


@dataclass
class SettingsForm:
    """The whole form, as typed, with the stored revision it was read at."""

    primary_color: str
    logo_url: str
    allowed_origins: str  # one per line
    contexts: list[ContextFields]
    revision: int = 0
    accessibility_email: str = ""
    accessibility_url: str = ""

    @classmethod
    def of(cls, config: LandlordConfig, revision: int) -> SettingsForm:
        """The form prefilled with ``config``'s values."""
        contexts = []
        for name, context in sorted(config.contexts.items()):
            handoff = context.handoff.model_dump() if context.handoff else {}
            contexts.append(
                ContextFields(
                    name=name,
                    audience=context.audience,
                    protected=context.protected,
                    greeting=context.greeting,
                    examples="\n".join(context.examples),
                    handoff={key: handoff.get(key) or "" for key in HANDOFF_FIELDS},
                )
            )
        return cls(
            primary_color=config.branding.primary_color,
            logo_url=config.branding.logo_url or "",
            allowed_origins="\n".join(config.widget.allowed_origins),
            contexts=contexts,
            revision=revision,
            accessibility_email=config.accessibility.contact_email or "",
            accessibility_url=config.accessibility.contact_url or "",
        )

    @classmethod
    def submitted(cls, form: Mapping[str, Any], seed: LandlordConfig) -> SettingsForm:
        """What was typed, for the contexts of ``seed`` (any other field is ignored)."""

        def text(name: str) -> str:
            value = form.get(name, "")
            return value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""

        contexts = [
            ContextFields(
                name=name,
                audience=context.audience,
                protected=context.protected,
                greeting=text(f"{name}.greeting"),
                examples=text(f"{name}.examples"),
                handoff={key: text(f"{name}.handoff_{key}") for key in HANDOFF_FIELDS},
            )
            for name, context in sorted(seed.contexts.items())
        ]
        revision = text("revision")
        return cls(
            primary_color=text("primary_color"),
            logo_url=text("logo_url"),
            allowed_origins=text("allowed_origins"),
            contexts=contexts,
            revision=int(revision) if revision.isdigit() else -1,
            accessibility_email=text("accessibility_email"),
            accessibility_url=text("accessibility_url"),
        )

    def data(self) -> dict[str, Any]:
        """The values for :class:`LandlordSettingsEdit` (empty optional fields → None)."""
        return {
            "branding": {"primary_color": self.primary_color, "logo_url": self.logo_url or None},
            "widget": {"allowed_origins": _lines(self.allowed_origins)},
            "accessibility": {
                "contact_email": self.accessibility_email or None,
                "contact_url": self.accessibility_url or None,
            },
            "contexts": {
                context.name: {
                    "greeting": context.greeting,
                    "examples": _lines(context.examples),
                    "handoff": _handoff(context.handoff),
                }
                for context in self.contexts
            },
        }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _handoff(fields: dict[str, str]) -> dict[str, str | None] | None:
    if not any(fields.values()):
        return None  # no contact offered
    return {key: (fields[key] or None) if key != "label" else fields[key] for key in fields}


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """Form field name → its problems in French (``allowed_origins``, ``<context>.greeting``…)."""
    problems: dict[str, list[str]] = {}
    for detail in error.errors():
        name, line = _field_of(detail["loc"])
        message = _french(detail, name.rpartition(".")[2])
        problems.setdefault(name, []).append(f"ligne {line} : {message}" if line else message)
    return problems


def _field_of(loc: tuple[int | str, ...]) -> tuple[str, int | None]:
    """The form field of an error's location, and the line when it is one item of a list."""
    parts = [str(part) for part in loc if not isinstance(part, int)]
    line = next((part + 1 for part in loc if isinstance(part, int)), None)
    if parts[:1] in (["branding"], ["widget"]):
        return parts[-1], line
    if parts[:1] == ["accessibility"]:
        by_model = {model: form for form, model in ACCESSIBILITY_FIELDS.items()}
        return by_model.get(parts[-1], "_form"), line
    if parts[:1] == ["contexts"] and len(parts) >= 3:
        context, rest = parts[1], parts[2:]
        return f"{context}.{'_'.join(rest)}", line
    return "_form", line


def _french(detail: ErrorDetails, name: str) -> str:
    kind, context = detail["type"], detail.get("ctx", {})
    if kind == "string_too_long":
        return f"{context.get('max_length')} caractères au plus"
    if kind == "string_too_short":
        return "ce champ est obligatoire"
    if kind == "too_long":
        return f"{context.get('max_length')} lignes au plus"
    if kind == "string_pattern_mismatch":
        return PATTERN_HINTS.get(name, "format refusé")
    return VALUE_HINTS.get(name, f"valeur refusée ({detail['msg']})")


def changed_parts(before: LandlordSettingsEdit, after: LandlordSettingsEdit) -> list[str]:
    """What an edit changed, in words, for the history (``accueil (default)``…)."""
    changed = [
        PART_LABELS[part]
        for part in ("branding", "widget")
        if getattr(before, part) != getattr(after, part)
    ]
    if after.accessibility is not None and before.accessibility != after.accessibility:
        changed.append(PART_LABELS["accessibility"])
    for name, context in sorted(after.contexts.items()):
        previous = before.contexts.get(name)
        parts = [
            PART_LABELS[part]
            for part in ("greeting", "examples", "handoff")
            if previous is None or getattr(previous, part) != getattr(context, part)
        ]
        if parts:
            changed.append(f"{', '.join(parts)} ({name})")
    return changed
