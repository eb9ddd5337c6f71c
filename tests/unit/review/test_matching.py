"""Matching a question to a validated answer: the closest one, at the threshold, the
landlord's own, in the question's language; validated or deleted, at once."""

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


def _answers(store: MemoryValidatedAnswers) -> ValidatedAnswers:
    return ValidatedAnswers(store, lambda: EMBEDDER, threshold=0.9)


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


def test_an_answer_is_served_once_validated_and_no_more_once_deleted():
    # Given a matcher that found nothing for the landlord
    store = MemoryValidatedAnswers()
    answers = _answers(store)
    assert answers.match(LANDLORD, "horaires de l'agence", "fr") is None

    # when an answer is validated, it is served at once; deleted, no more
    store.add(_validated("hours", "horaires de l'agence"))
    served = answers.match(LANDLORD, "horaires de l'agence", "fr")
    assert served is not None and served.answer.answer_id == "hours"
    store.delete(LANDLORD, "hours")
    assert answers.match(LANDLORD, "horaires de l'agence", "fr") is None


def test_a_validated_question_is_embedded_once():
    store = MemoryValidatedAnswers()
    store.add(_validated("hours", "horaires de l'agence"))
    answers = _answers(store)
    answers.match(LANDLORD, "horaires de l'agence", "fr")

    EMBEDDER.calls.clear()
    answers.match(LANDLORD, "où est l'agence ?", "fr")

    assert EMBEDDER.calls == [["où est l'agence ?"]]
