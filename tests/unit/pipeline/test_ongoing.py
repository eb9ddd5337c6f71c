"""An emergency goes on past the message that said it: the message right after it, when it goes
on with it, gets the block and is searched with it."""

from __future__ import annotations

import pytest

from pierre_rag.conversations import Turn
from pierre_rag.pipeline.emergencies import Emergency
from pierre_rag.pipeline.models import Understanding
from pierre_rag.pipeline.ongoing import ongoing_emergencies, searched_with_the_emergency

GAS = "ça sent le gaz dans ma cuisine"


def _history(*messages: str) -> list[Turn]:
    return [
        turn
        for n, message in enumerate(messages)
        for turn in (
            Turn(role="user", content=message, message_id=f"m{n}", created_ms=2 * n),
            Turn(role="assistant", content="…", message_id=f"m{n}", created_ms=2 * n + 1),
        )
    ]


@pytest.mark.parametrize(
    "text",
    [
        "j'ai ouvert les fenêtres, et maintenant ?",  # short
        "et si le voisin du dessous sent l'odeur aussi, je fais quoi de plus pour lui ?",  # link
    ],
)
def test_a_message_going_on_with_an_emergency_carries_it(text: str) -> None:
    ongoing = ongoing_emergencies(text, _history(GAS))

    assert ongoing.detection.intents == (Emergency.GAS,)
    assert ongoing.carried


@pytest.mark.parametrize(
    "text",
    [
        "merci",
        "sinon, le loyer c'est quand ?",
        "on voudrait adopter un petit chien l'an prochain pour les enfants, le règlement de la "
        "résidence nous l'autorise ?",
    ],
)
def test_small_talk_another_subject_or_a_long_new_question_does_not(text: str) -> None:
    ongoing = ongoing_emergencies(text, _history(GAS))

    assert not ongoing.detection and not ongoing.carried


def test_only_the_message_right_after_carries_it() -> None:
    history = _history(GAS, "c'est fait")

    assert not ongoing_emergencies("et maintenant ?", history).detection


def test_an_emergency_the_message_says_itself_is_not_carried() -> None:
    ongoing = ongoing_emergencies("ça sent encore le gaz", _history(GAS))

    assert ongoing.detection.intents == (Emergency.GAS,) and not ongoing.carried


def test_without_an_llm_the_message_is_searched_with_the_emergency_and_alone() -> None:
    understood = Understanding(search_queries=["et maintenant ?"], source="heuristic")

    searched = searched_with_the_emergency(understood, "et maintenant ?", _history(GAS))

    assert searched.search_queries == [f"{GAS} et maintenant ?", "et maintenant ?"]


def test_an_llms_rewrite_is_searched_as_it_is() -> None:
    understood = Understanding(search_queries=["que faire après une odeur de gaz"], source="llm")

    assert searched_with_the_emergency(understood, "et maintenant ?", _history(GAS)) is understood
