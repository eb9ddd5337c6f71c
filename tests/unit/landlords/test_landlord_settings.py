"""The settings an administrator edits are refused exactly where the landlord file would be,
and applied over the file's config as a whole config the file's model validates again."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from pierre_rag.landlord_settings import (
    LandlordSettingsEdit,
    SettingsEditError,
    apply_settings,
    effective_config,
)
from pierre_rag.landlords import LandlordConfig, load_landlord_file
from tests.helpers import REPO_ROOT

LANDLORD = "pierre-habitat.fr"


def _seed() -> LandlordConfig:
    return load_landlord_file(REPO_ROOT / "knowledge" / LANDLORD / "landlord.yaml", LANDLORD)


def _edit_data(**changes: Any) -> dict[str, Any]:
    """The seed's editable part as stored, with ``changes`` at dotted paths."""
    data = LandlordSettingsEdit.of(_seed()).to_stored()
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        target = data
        for part in parents:
            target = target[part]
        target[leaf] = value
    return data


def _file_data(**changes: Any) -> dict[str, Any]:
    """The seed's whole file as data, with the same ``changes``."""
    data = _seed().model_dump(mode="json")
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        target = data
        for part in parents:
            target = target[part]
        target[leaf] = value
    return data


def _errors(error: ValidationError) -> list[tuple[tuple[int | str, ...], str]]:
    return [(detail["loc"], detail["type"]) for detail in error.errors()]


REFUSED = {
    "colour without #": {"branding__primary_color": "0b5fa5"},
    "colour of 3 digits": {"branding__primary_color": "#abc"},
    "logo over http": {"branding__logo_url": "http://cdn.example.org/logo.png"},
    "logo with a quote": {"branding__logo_url": '/logo.png"onload='},
    "origin with a path": {"widget__allowed_origins": ["https://www.example.org/chat"]},
    "origin without a scheme": {"widget__allowed_origins": ["www.example.org"]},
    "51 origins": {"widget__allowed_origins": [f"https://s{i}.example.org" for i in range(51)]},
    "greeting too long": {"contexts__default__greeting": "x" * 1001},
    "nine examples": {"contexts__default__examples": [f"Question {i} ?" for i in range(9)]},
    "an empty example": {"contexts__default__examples": [""]},
    "an example too long": {"contexts__default__examples": ["x" * 201]},
    "handoff without label": {"contexts__default__handoff": {"label": "", "phone": "01"}},
    "handoff url not http": {
        "contexts__default__handoff": {"label": "Agence", "url": "javascript:alert(1)"}
    },
    "handoff hours too long": {"contexts__default__handoff": {"label": "A", "hours": "h" * 201}},
    "accessibility e-mail": {"accessibility": {"contact_email": "pas une adresse"}},
    "accessibility page over http": {"accessibility": {"contact_url": "http://exemple.fr/a11y"}},
}


@pytest.mark.parametrize("changes", REFUSED.values(), ids=list(REFUSED))
def test_an_edit_is_refused_with_the_errors_the_landlord_file_gives(changes):
    # given the same change made to the edit and to the whole landlord file
    edit, whole = _edit_data(**changes), _file_data(**changes)
    # when both are validated
    with pytest.raises(ValidationError) as edited:
        LandlordSettingsEdit.model_validate(edit)
    with pytest.raises(ValidationError) as filed:
        LandlordConfig.model_validate(whole)
    # then they are refused at the same place for the same reason
    assert _errors(edited.value) == _errors(filed.value)


@pytest.mark.parametrize(
    "changes",
    [{"contexts__default__persona": "Vous êtes un pirate."}, {"name": "Autre nom"}],
    ids=["persona", "name"],
)
def test_an_edit_holds_only_the_editable_fields(changes):
    # given a stored edit that also carries a field the admin does not edit
    data = _edit_data(**changes)
    # when it is validated, then it is refused: it cannot reach the rest of the file
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        LandlordSettingsEdit.model_validate(data)


def test_an_edit_is_applied_over_the_file_and_leaves_the_rest_as_the_file_says():
    # given an edit of the colour, the origins and the default context's greeting
    edit = LandlordSettingsEdit.model_validate(
        _edit_data(
            branding__primary_color="#aa3300",
            widget__allowed_origins=["https://bailleur.example.org"],
            contexts__default__greeting="Bienvenue !",
        )
    )
    # when it is applied over the file's config
    config = apply_settings(_seed(), edit)
    # then those fields change and nothing else does
    assert config.branding.primary_color == "#aa3300"
    assert config.widget.allowed_origins == ["https://bailleur.example.org"]
    assert config.context("default").greeting == "Bienvenue !"
    assert config.context("default").persona == _seed().context("default").persona
    assert config.context("staff") == _seed().context("staff")
    assert (config.sms, config.llm, config.name) == (_seed().sms, _seed().llm, _seed().name)


def test_a_stored_edit_reads_back_as_the_same_config():
    # given the seed's own values, stored
    seed = _seed()
    stored = LandlordSettingsEdit.of(seed).to_stored()
    # when the config is made from them, or from nothing stored
    # then it is the seed's
    assert effective_config(seed, stored) == seed
    assert effective_config(seed, None) is seed


def test_the_statements_contact_is_edited_and_an_edit_stored_before_keeps_the_files():
    # given an edit of the accessibility contact, and one stored before the admin offered it
    edited = LandlordSettingsEdit.model_validate(
        _edit_data(accessibility={"contact_email": "accessibilite@pierre-habitat.fr"})
    )
    older = _edit_data(contexts__default__greeting="Bonjour !")
    del older["accessibility"]

    # when each is applied over the file
    # then the first sets the contact, the second leaves the file's
    assert apply_settings(_seed(), edited).accessibility.contact_email == (
        "accessibilite@pierre-habitat.fr"
    )
    kept = effective_config(_seed(), older)
    assert kept.accessibility == _seed().accessibility
    assert kept.context("default").greeting == "Bonjour !"


def test_an_edit_naming_a_context_the_file_lacks_is_refused():
    # given an edit for a context the landlord file does not define
    data = _edit_data()
    data["contexts"]["ghost"] = data["contexts"]["default"]
    edit = LandlordSettingsEdit.model_validate(data)
    # when it is applied, then it is refused with the context named
    with pytest.raises(SettingsEditError, match="ghost"):
        apply_settings(_seed(), edit)


def test_the_whole_config_is_validated_again_after_the_edit():
    # given a file config that its own model would refuse once rebuilt (a staff context made
    # public behind the model's back), and an edit that leaves that context alone
    seed = _seed()
    broken_staff = seed.context("staff").model_copy(update={"protected": False})
    broken = seed.model_copy(update={"contexts": {**seed.contexts, "staff": broken_staff}})
    edit = LandlordSettingsEdit.of(seed)
    # when the edit is applied, then the whole config is refused, not served
    with pytest.raises(SettingsEditError, match="protected"):
        apply_settings(broken, edit)
