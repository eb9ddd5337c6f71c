"""The landlord settings administrators edit in the admin, applied over the landlord's file.

The landlord file (``knowledge/<landlord>/landlord.yaml``) stays the seed of a deployment; the
admin stores an edit of a few of its fields (``PublishingRepository.landlord_settings``): each
context's greeting, examples and handoff contact, the branding, the widget's origins and the
accessibility statement's contact. The
edit is validated by the file's own models (the same sub-models and field types, no second
copy of the rules), then applied over the file and the whole config validated again, so what
the file would refuse is refused here the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from pierre_rag.landlords import (
    Accessibility,
    Branding,
    Examples,
    Greeting,
    Handoff,
    LandlordConfig,
    Widget,
)
from pierre_rag.validation import describe


class SettingsEditError(ValueError):
    """An edit that does not apply to the landlord's file (a context the file does not have,
    or a whole config the file's model refuses); the message says why."""


class _Edit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContextSettings(_Edit):
    """What the admin edits of one chat context."""

    greeting: Greeting
    examples: Examples
    handoff: Handoff | None = None


class LandlordSettingsEdit(_Edit):
    """What the admin edits of a landlord: every field replaces the file's."""

    branding: Branding
    widget: Widget
    contexts: dict[str, ContextSettings]
    # None: the file's (edits stored before the admin offered it)
    accessibility: Accessibility | None = None

    @classmethod
    def of(cls, config: LandlordConfig) -> LandlordSettingsEdit:
        """The editable part of ``config`` (what the admin's form shows)."""
        return cls(
            branding=config.branding,
            widget=config.widget,
            accessibility=config.accessibility,
            contexts={
                name: ContextSettings(
                    greeting=context.greeting, examples=context.examples, handoff=context.handoff
                )
                for name, context in config.contexts.items()
            },
        )

    def to_stored(self) -> dict[str, Any]:
        """The item ``PublishingRepository.save_landlord_settings`` keeps (JSON types only)."""
        return self.model_dump(mode="json")


def apply_settings(seed: LandlordConfig, edit: LandlordSettingsEdit) -> LandlordConfig:
    """``seed`` with ``edit``'s fields, validated again as a whole by the file's model."""
    unknown = sorted(set(edit.contexts) - set(seed.contexts))
    if unknown:
        raise SettingsEditError(f"landlord {seed.id} has no context {', '.join(unknown)}")
    data = seed.model_dump()
    data["branding"] = edit.branding.model_dump()
    data["widget"] = edit.widget.model_dump()
    if edit.accessibility is not None:
        data["accessibility"] = edit.accessibility.model_dump()
    for name, context in edit.contexts.items():
        data["contexts"][name].update(context.model_dump())
    try:
        return LandlordConfig.model_validate(data)
    except ValidationError as error:
        raise SettingsEditError(f"landlord {seed.id}: {describe(error)}") from error


def effective_config(seed: LandlordConfig, stored: Mapping[str, Any] | None) -> LandlordConfig:
    """The config served: ``seed`` with the ``stored`` edit applied (None: the file alone).
    ``ValueError`` (a pydantic ``ValidationError`` or :class:`SettingsEditError`) when the
    stored edit no longer validates or applies."""
    if stored is None:
        return seed
    return apply_settings(seed, LandlordSettingsEdit.model_validate(stored))
