"""The emergency block: numbers chosen by intent, the landlord's on-call line, the language."""

from __future__ import annotations

import itertools

import pytest

from pierre_rag.landlords import ContextConfig, EmergencyConfig, LandlordConfig
from pierre_rag.pipeline.emergencies import Detection, Emergency
from pierre_rag.pipeline.models import Understanding
from pierre_rag.pipeline.safety import (
    DIAL,
    NUMBERS,
    ON_CALL_INTENTS,
    PHRASES,
    block_language,
    numbers_for,
    safety_block,
    without_block,
)
from pierre_rag.pipeline.text import markdown_to_plain
from pierre_rag.sms.splitting import split_sms
from tests.helpers import landlord_with_on_call

ON_CALL = "01 99 00 99 99"
FRENCH = Understanding(language="fr")


def _detected(*intents: Emergency, languages: tuple[str, ...] = ("fr",)) -> Detection:
    return Detection(intents, languages)


@pytest.mark.parametrize(
    ("intent", "expected", "absent"),
    [
        (Emergency.GAS, ["0 800 47 33 33", "18", "112"], ["3919", "17"]),
        (Emergency.FIRE, ["18", "112"], ["0 800 47 33 33"]),
        (Emergency.CARBON_MONOXIDE, ["18", "15", "112"], ["3919"]),
        (Emergency.VIOLENCE, ["17", "3919", "SMS au 114", "112"], ["0 800 47 33 33"]),
        (Emergency.DANGER, ["15", "17", "18", "112", "SMS au 114"], ["3919"]),
    ],
)
def test_numbers_are_chosen_by_intent(intent, expected, absent):
    block = safety_block(_detected(intent), FRENCH, landlord_with_on_call())

    assert block is not None
    call_line = next(line for line in block.text.splitlines() if line.startswith("- Appelez"))
    for number in expected:
        assert number in call_line
    for number in absent:
        assert number not in call_line


@pytest.mark.parametrize("intent", list(Emergency))
def test_the_on_call_line_is_given_for_the_building_only(intent):
    block = safety_block(_detected(intent), FRENCH, landlord_with_on_call())

    assert block is not None
    assert (ON_CALL in block.text) == (intent in ON_CALL_INTENTS)
    assert block.text.startswith("**URGENCE**\n- ")


def test_a_landlord_without_on_call_gets_the_block_without_it():
    block = safety_block(_detected(Emergency.GAS), FRENCH, landlord_with_on_call(on_call=None))

    assert block is not None
    assert "Astreinte" not in block.text
    assert "0 800 47 33 33" in block.text


def test_no_emergency_no_block():
    assert safety_block(Detection(), FRENCH, landlord_with_on_call()) is None


def test_numbers_of_several_intents_are_given_once_most_specific_first():
    assert numbers_for((Emergency.GAS, Emergency.FIRE)) == ["gas", "fire", "europe"]


def test_sms_numbers_are_written_without_spaces():
    block = safety_block(_detected(Emergency.GAS), FRENCH, landlord_with_on_call(), compact=True)

    assert block is not None
    assert "0800473333" in block.text and "0199009999" in block.text


@pytest.mark.parametrize(
    ("understood", "sure", "rule_languages", "expected"),
    [
        ("en", True, ("fr",), "en"),  # the LLM's verdict wins
        ("zh", True, ("en",), "fr"),  # no translation: French
        ("ru", True, ("en",), "ru"),  # Russian has one (not a UI language)
        ("fr", False, ("en",), "en"),  # the guess fell back to French ("gas leak")
        ("en", False, ("es",), "es"),  # a word count said English for "huele a gas en mi…"
        ("it", False, ("es", "pt", "it"), "it"),  # shared words: the guess picks among them
        ("fr", False, ("fr", "en"), "fr"),
        ("zh", False, ("de",), "de"),
        ("fr", False, (), "fr"),
    ],
)
def test_the_block_language(understood, sure, rule_languages, expected):
    detection = _detected(Emergency.GAS, languages=rule_languages)

    assert block_language(understood, detection, sure=sure) == expected


@pytest.mark.parametrize("language", sorted(PHRASES))
def test_every_language_says_every_intent_and_number(language):
    phrases = PHRASES[language]

    assert set(phrases.steps) == set(Emergency)
    assert set(phrases.numbers) == set(DIAL) == {k for keys in NUMBERS.values() for k in keys}
    understood = Understanding(language=language, source="llm")
    block = safety_block(_detected(*Emergency), understood, landlord_with_on_call())
    assert block is not None and block.language == language
    for number in DIAL.values():
        assert number in block.text


def test_the_eight_ui_languages_and_ukrainian_and_russian_have_a_block():
    assert set(PHRASES) == {"fr", "en", "es", "pt", "ar", "tr", "de", "it", "uk", "ru"}


@pytest.mark.parametrize("language", sorted(PHRASES))
def test_the_sms_block_is_never_cut_by_the_sms_budget(language):
    # Given a landlord with a long name, and every combination of intents
    landlord = LandlordConfig(
        id="exemple-hlm.fr",
        name="Office Public de l'Habitat de la Métropole",
        emergency=EmergencyConfig(on_call_phone="+33 1 99 00 99 99"),
        contexts={"default": ContextConfig()},
    )
    for size in range(1, len(Emergency) + 1):
        for intents in itertools.combinations(Emergency, size):
            understood = Understanding(language=language, source="llm")
            block = safety_block(_detected(*intents), understood, landlord, compact=True)
            assert block is not None and block.language == language

            # When its SMS form is split with accents kept (UCS-2: 67 characters a part)
            split = split_sms(markdown_to_plain(block.text), fold_accents=False)

            # Then it fits in one answer's SMS parts, whole
            assert not split.truncated, (language, intents)


def test_by_sms_several_intents_keep_two_steps_and_every_number():
    intents = (Emergency.GAS, Emergency.FIRE, Emergency.DANGER)

    block = safety_block(_detected(*intents), FRENCH, landlord_with_on_call(), compact=True)

    assert block is not None
    steps = [line for line in block.text.splitlines()[1:] if not line.startswith("- Appelez")]
    assert steps[:2] == [f"- {PHRASES['fr'].steps[i]}" for i in intents[:2]]
    assert PHRASES["fr"].steps[Emergency.DANGER] not in block.text
    for key in numbers_for(intents):
        assert DIAL[key].replace(" ", "") in block.text


@pytest.mark.parametrize("compact", [False, True])
def test_without_block_keeps_what_follows_the_block(compact):
    block = safety_block(_detected(Emergency.GAS), FRENCH, landlord_with_on_call(), compact=compact)
    assert block is not None
    text = markdown_to_plain(block.text) if compact else block.text

    assert (
        without_block(f"{text}\n\nFermez le robinet de gaz [1].") == "Fermez le robinet de gaz [1]."
    )
    assert without_block(text) == ""
    assert without_block("Le préavis est d'un mois.\n\nVoir [1].") == (
        "Le préavis est d'un mois.\n\nVoir [1]."
    )
