"""Language guess: French when unsure, never French taken for another language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pierre_rag.pipeline.language import guess_language

BENCH = Path(__file__).resolve().parents[2] / "bench"
TUNING = BENCH / "languages.jsonl"
# Written before any detector ran on it, and never tuned on (infra/bench_language.py).
EVALUATION = BENCH / "languages.eval.jsonl"


def _guesses(path: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    return [(row["lang"], guess_language(row["text"])) for row in rows]


@pytest.mark.parametrize(
    "text",
    [
        "t'es vraiment un robot débile",
        "Tu es nul",
        "Tu es un robot ?",
        "Tu es là ?",
        "jai pa d'o chaude depui hier",
        "c normal ke les charges augmentent autant",
        "jsuis en retard pr le loyer",
        "non",
        "ok",
        "merci",
        "parking",
        "hein ?",
        "12",
        "le parking c'est free ou payant ?",
        "hello, j'ai une question sur mon loyer",
        "",
        "???",
    ],
)
def test_french_and_unsure_messages_stay_french(text: str) -> None:
    # given a French message, or one with nothing to tell
    # when its language is guessed
    # then it is French
    assert guess_language(text) == "fr"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("my landlord won't fix the heating", "en"),
        ("¿quién paga el tratamiento?", "es"),
        ("não consigo pagar a renda", "pt"),
        ("non ho acqua calda da ieri", "it"),
        ("Die Heizung ist kaputt", "de"),
        ("Der Vermieter antwortet nicht auf meine Briefe", "de"),
        ("kira neden artti", "tr"),
        ("يوجد تسرب مياه", "ar"),
        ("Протікає вода зі стелі", "uk"),
        ("Сосед шумит каждую ночь", "ru"),
    ],
)
def test_other_languages_need_clear_evidence(text: str, language: str) -> None:
    # given a message the model finds clearly in another language, or in another script
    # when its language is guessed
    # then that language is found
    assert guess_language(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("thanks", "en"),
        ("hola", "es"),
        ("muito obrigado", "pt"),
        ("grazie", "it"),
        ("danke", "de"),
        ("merhaba", "tr"),
        ("bonjour", "fr"),
        ("ok merci", "fr"),
    ],
)
def test_a_greeting_or_thanks_alone_is_in_its_own_language(text: str, language: str) -> None:
    # given a message of greetings or thanks only, too short for the model
    # when its language is guessed
    # then it is the language those words belong to (French when French has them too)
    assert guess_language(text) == language


def test_tuning_set_accuracy_and_no_french_lost() -> None:
    # given the labelled messages the thresholds were chosen on
    # when each is guessed
    guesses = _guesses(TUNING)
    # then at least 97 % are right and no French one is taken for another language
    assert sum(want == got for want, got in guesses) / len(guesses) >= 0.97
    assert [got for want, got in guesses if want == "fr" and got != "fr"] == []


def test_evaluation_set_accuracy() -> None:
    # given 327 labelled messages in the eight UI languages, never tuned on
    # when each is guessed
    guesses = _guesses(EVALUATION)
    # then at least 97 % are right
    assert sum(want == got for want, got in guesses) / len(guesses) >= 0.97


@pytest.mark.xfail(
    strict=True,
    reason="1 of 152: 'le proprio il abuse grave' reads as Italian to the model (issue #15 item 4)",
)
def test_evaluation_set_loses_no_french() -> None:
    # given the French messages of the evaluation set
    # when each is guessed
    guesses = _guesses(EVALUATION)
    # then none is taken for another language (the target, not met yet)
    assert [got for want, got in guesses if want == "fr" and got != "fr"] == []
