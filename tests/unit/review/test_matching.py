"""Matching a question to a validated answer: the closest one, at the threshold, the
landlord's own, in the question's language; answers read again after the refresh delay."""

from __future__ import annotations

import math

from pierre_rag.review.matching import ValidatedAnswers
from pierre_rag.review.validated import ValidatedAnswer
from pierre_rag.storage.memory import MemoryValidatedAnswers
from tests.unit.review.fakes import TableEmbedder

LANDLORD = "exemple-hlm.fr"
OTHER = "autre-hlm.fr"


def _angle(degrees: float) -> list[float]:
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees)), 0.0]


EMBEDDER = TableEmbedder(
    {
        "horaires de l'agence": _angle(0),
        "adresse de l'agence": _angle(60),
        "l'agence ouvre à quelle heure ?": _angle(10),  # cosine 0.985 with the first
        "où est l'agence ?": _angle(55),  # cosine 0.996 with the address
        "l'agence ouvre quand ?": _angle(30),  # cosine 0.866 with the first: not enough
    }
)


def _validated(answer_id: str, question: str, *, landlord: str = LANDLORD, language: str = "fr"):
    return ValidatedAnswer(
        answer_id=answer_id,
        landlord=landlord,
        question=question,
        answer=f"réponse {answer_id}",
        validated_by="staff@exemple-hlm.fr",
        validated_ms=1,
        language=language,
    )


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _answers(store: MemoryValidatedAnswers, clock: Clock | None = None) -> ValidatedAnswers:
    return ValidatedAnswers(store, lambda: EMBEDDER, threshold=0.9, clock=clock or Clock())


def test_the_closest_validated_question_over_the_threshold_is_served():
    store = MemoryValidatedAnswers()
    store.add(_validated("hours", "horaires de l'agence"))
    store.add(_validated("address", "adresse de l'agence"))
    answers = _answers(store)

    hours = answers.match(LANDLORD, "l'agence ouvre à quelle heure ?", "fr")
    address = answers.match(LANDLORD, "où est l'agence ?", "fr")

    assert hours is not None and hours.answer.answer_id == "hours"
    assert math.isclose(hours.cosine, math.cos(math.radians(10)), rel_tol=1e-5)
    assert address is not None and address.answer.answer_id == "address"


def test_a_question_under_the_threshold_gets_nothing():
    store = MemoryValidatedAnswers()
    store.add(_validated("hours", "horaires de l'agence"))

    assert _answers(store).match(LANDLORD, "l'agence ouvre quand ?", "fr") is None


def test_another_landlords_or_another_languages_answer_is_never_served():
    # Given the same question validated by another landlord, and by this one in English
    store = MemoryValidatedAnswers()
    store.add(_validated("theirs", "horaires de l'agence", landlord=OTHER))
    store.add(_validated("english", "horaires de l'agence", language="en"))
    answers = _answers(store)

    # then a French question of this landlord's gets neither
    assert answers.match(LANDLORD, "horaires de l'agence", "fr") is None
    english = answers.match(LANDLORD, "horaires de l'agence", "en")
    assert english is not None and english.answer.answer_id == "english"


def test_answers_are_read_again_after_the_refresh_delay_and_vectors_kept():
    # Given a matcher that read the landlord's answers once
    clock = Clock()
    store = MemoryValidatedAnswers()
    answers = _answers(store, clock)
    assert answers.match(LANDLORD, "horaires de l'agence", "fr") is None

    # when an answer is validated, it is served once the delay has passed, not before
    store.add(_validated("hours", "horaires de l'agence"))
    clock.now += 29
    assert answers.match(LANDLORD, "horaires de l'agence", "fr") is None
    clock.now += 2
    served = answers.match(LANDLORD, "horaires de l'agence", "fr")
    assert served is not None and served.answer.answer_id == "hours"

    # and the validated question is embedded once, whatever the questions asked later
    EMBEDDER.calls.clear()
    answers.match(LANDLORD, "où est l'agence ?", "fr")
    assert EMBEDDER.calls == [["où est l'agence ?"]]
