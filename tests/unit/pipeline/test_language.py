"""Language guess: French when unsure, never French taken for another language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pierre_rag.pipeline.language import guess_language

LABELLED = Path(__file__).resolve().parents[2] / "bench" / "languages.jsonl"


@pytest.mark.parametrize(
    "text",
    [
        "t'es vraiment un robot débile",
        "Tu es nul",
        "Tu es là ?",
        "jai pa d'o chaude depui hier",
        "non",
        "le parking c'est free ou payant ?",
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
        ("kira neden artti", "tr"),
        ("يوجد تسرب مياه", "ar"),
        ("Протікає вода зі стелі", "uk"),
        ("Сосед шумит каждую ночь", "ru"),
    ],
)
def test_other_languages_need_their_own_evidence(text: str, language: str) -> None:
    # given a message with words or letters only that language has
    # when its language is guessed
    # then that language is found
    assert guess_language(text) == language


def test_labelled_set_accuracy_and_no_french_lost() -> None:
    # given the labelled messages of the eight UI languages
    rows = [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines() if line]
    # when each is guessed
    guesses = [(row["lang"], guess_language(row["text"])) for row in rows]
    # then at least 97 % are right and no French one is taken for another language
    right = sum(want == got for want, got in guesses)
    assert right / len(rows) >= 0.97
    assert [got for want, got in guesses if want == "fr" and got != "fr"] == []
