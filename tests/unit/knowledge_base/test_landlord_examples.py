"""The example landlord's example questions, the buttons a tenant sees first, are answered from
the section that answers them, on the web and by SMS (slow: the real model over
``knowledge/``). "Quels sont les horaires de mon agence ?" quoted which agency manages you: the
article's title, "Agences et horaires", names every word asked; and by SMS, grounded on three
sections, the opening hours were not among them. "J'ai une fuite d'eau le soir, qui appeler ?"
handed the tenant to the agency alone, closed in the evening."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pierre_rag.channel import Channel
from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.embeddings import UseEmbedder
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.pipeline import Outcome, Pipeline
from pierre_rag.storage.memory import MemoryConversations
from tests.helpers import REPO_ROOT, tenant_turn

LANDLORD = "pierre-habitat.fr"


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    embedder = UseEmbedder(threads=1)
    out: Path = tmp_path_factory.mktemp("examples-kb") / "datastore.sqlite"
    build_datastore([REPO_ROOT / "knowledge"], out, embedder)
    registry = LandlordRegistry.from_directory(REPO_ROOT / "knowledge")
    knowledge = KnowledgeBase.open(out, embedder)
    return Pipeline(registry, knowledge, MemoryConversations(), llm_for=lambda _: None)


def _ask(pipeline: Pipeline, text: str, channel: Channel) -> tuple[Outcome, str, list[str]]:
    result = asyncio.run(pipeline.answer(tenant_turn(LANDLORD, text, channel)))
    quoted = [result.sources[number - 1].heading for number in result.quoted]
    return result.outcome, result.text, quoted


def test_the_examples_are_the_landlord_s_own() -> None:
    registry = LandlordRegistry.from_directory(REPO_ROOT / "knowledge")
    examples = registry.get(LANDLORD).contexts["default"].examples

    assert examples[0] == "Quels sont les horaires de mon agence ?"


@pytest.mark.parametrize("channel", ["web", "sms"])
def test_the_agencies_hours_example_quotes_the_opening_hours(
    pipeline: Pipeline, channel: Channel
) -> None:
    # When a tenant clicks (or texts) the first example
    outcome, text, quoted = _ask(pipeline, "Quels sont les horaires de mon agence ?", channel)

    # Then the opening hours are quoted, not which agency manages them
    assert outcome is Outcome.ANSWERED
    assert quoted == ["Quels sont les horaires d'ouverture ?"]
    assert "8 h 30" in text


@pytest.mark.parametrize("channel", ["web", "sms"])
@pytest.mark.parametrize(
    ("example", "heading"),
    [
        (
            "Qui paie la réparation de la chasse d'eau ?",
            "Qui paie la réparation de la chasse d'eau ou d'un robinet qui fuit ?",
        ),
        (
            "Je n'ai pas répondu à l'enquête SLS, que risque-t-on ?",
            "Que se passe-t-il si je ne réponds pas à l'enquête SLS ?",
        ),
    ],
)
def test_the_other_examples_quote_the_section_that_answers_them(
    pipeline: Pipeline, channel: Channel, example: str, heading: str
) -> None:
    outcome, _, quoted = _ask(pipeline, example, channel)

    assert outcome is Outcome.ANSWERED
    assert quoted == [heading]


@pytest.mark.parametrize("channel", ["web", "sms"])
def test_the_evening_leak_example_gives_the_on_call_number(
    pipeline: Pipeline, channel: Channel
) -> None:
    # When a tenant clicks (or texts) "J'ai une fuite d'eau le soir, qui appeler ?"
    outcome, text, quoted = _ask(pipeline, "J'ai une fuite d'eau le soir, qui appeler ?", channel)

    # Then what to do about the leak is quoted, and the answer ends with the on-call number of
    # the landlord's file, not only its agency (closed in the evening)
    assert outcome is Outcome.ANSWERED
    assert quoted
    assert text.endswith("Urgence hors des heures d'ouverture : astreinte 01 99 00 99 99.")
