"""Landlord configuration: validated at load, looked up by id or SMS number, never by path."""

from __future__ import annotations

from pathlib import Path

import pytest

from pierre_rag.landlords import (
    LandlordConfigError,
    LandlordRegistry,
    UnknownContextError,
    UnknownLandlordError,
    load_landlord_file,
)

VALID = """
id: exemple-hlm.fr
name: Exemple HLM
sms: {numbers: ["01 99 00 00 42"]}
contexts:
  default:
    access: [community, public]
    greeting: Bonjour
    examples: ["Comment payer mon loyer ?"]
    handoff: {label: Votre agence, phone: 01 99 00 00 00}
  staff:
    protected: true
    access: [community, public, staff]
"""


def _write(root: Path, landlord_id: str, text: str, layer_layout: bool = False) -> Path:
    if layer_layout:
        path = root / f"{landlord_id}.yaml"
    else:
        path = root / landlord_id / "landlord.yaml"
        path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("layer_layout", [False, True])
def test_both_layouts_load(tmp_path, layer_layout):
    _write(tmp_path, "exemple-hlm.fr", VALID, layer_layout)

    registry = LandlordRegistry.from_directory(tmp_path)

    landlord = registry.get("exemple-hlm.fr")
    assert landlord.context("staff").protected
    assert landlord.context(None).greeting == "Bonjour"
    assert registry.by_sms_number("+33199000042") is landlord
    assert registry.by_sms_number("0033 1 99 00 00 42") is landlord
    assert registry.by_sms_number("+33600000000") is None


def test_unknown_landlord_and_context_are_clear_errors(tmp_path):
    _write(tmp_path, "exemple-hlm.fr", VALID)
    registry = LandlordRegistry.from_directory(tmp_path)

    with pytest.raises(UnknownLandlordError, match="unknown landlord"):
        registry.get("../../etc/passwd")
    with pytest.raises(UnknownContextError, match="no context 'admin'"):
        registry.get("exemple-hlm.fr").context("admin")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("access: [community, public, staff]", "access: [community, staff]"), None),
        (("    greeting: Bonjour", "    greeting: Bonjour\n    colour: red"), "colour"),
        (("  default:", "  defaut:"), "default"),
        (('numbers: ["01 99 00 00 42"]', 'numbers: ["abc"]'), "phone"),
    ],
)
def test_invalid_files_name_the_file_and_the_field(tmp_path, change, message):
    text = VALID.replace(*change)
    if change[1] == "access: [community, staff]":
        # a staff-access context that is not protected
        text = VALID.replace("    protected: true\n", "")
        message = "protected"
    path = _write(tmp_path, "exemple-hlm.fr", text)

    with pytest.raises(LandlordConfigError) as raised:
        load_landlord_file(path, "exemple-hlm.fr")

    assert str(path) in str(raised.value)
    assert message in str(raised.value)


def test_the_id_must_match_the_folder(tmp_path):
    path = _write(tmp_path, "autre-hlm.fr", VALID)

    with pytest.raises(LandlordConfigError, match="must equal"):
        load_landlord_file(path, "autre-hlm.fr")


def test_a_litellm_provider_is_refused_with_the_alternatives(tmp_path):
    # Given a landlord file that asks for the removed litellm provider
    text = VALID + "llm: {provider: litellm, model: mistral/mistral-small}\n"
    path = _write(tmp_path, "exemple-hlm.fr", text)

    # When it is loaded, then it is refused, naming what to use instead
    with pytest.raises(LandlordConfigError) as raised:
        load_landlord_file(path, "exemple-hlm.fr")
    message = str(raised.value)
    assert "llm.provider" in message
    assert "litellm" in message
    assert "provider: openai" in message and "LiteLLM proxy" in message
    assert "provider: bedrock" in message


def test_the_on_call_number_is_optional_and_kept_as_written(tmp_path):
    # Given one landlord without an emergency section and one with its on-call number
    plain = load_landlord_file(_write(tmp_path / "a", "exemple-hlm.fr", VALID), "exemple-hlm.fr")
    text = VALID + 'emergency: {on_call_phone: "01  99 00 99 99"}\n'
    with_on_call = load_landlord_file(
        _write(tmp_path / "b", "exemple-hlm.fr", text), "exemple-hlm.fr"
    )

    # Then the first has none and the second's number is spaced as a tenant reads it
    assert plain.emergency is None
    assert with_on_call.emergency is not None
    assert with_on_call.emergency.on_call_phone == "01 99 00 99 99"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('emergency: {on_call_phone: "astreinte"}', "on_call_phone"),
        ('emergency: {on_call_phone: "01 99 00 99 99", label: "Astreinte"}', "label"),
        ("emergency: {}", "on_call_phone"),
    ],
)
def test_an_on_call_number_that_cannot_be_dialled_is_refused(tmp_path, section, message):
    # Given an emergency section with no dialable number, or an unknown key
    path = _write(tmp_path, "exemple-hlm.fr", VALID + section + "\n")

    # Then the file is refused, naming the field
    with pytest.raises(LandlordConfigError, match=message):
        load_landlord_file(path, "exemple-hlm.fr")
