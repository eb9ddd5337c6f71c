"""Given a pipeline built with a per-landlord resolver (``publishing.serving``), when a turn is
answered, then it searches the knowledge the resolver gives for the turn's landlord."""

from __future__ import annotations

import asyncio
import uuid

from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.pipeline import Pipeline, TurnRequest

LANDLORD = "exemple-hlm.fr"


def _answer(pipeline: Pipeline) -> str:
    request = TurnRequest(
        landlord=LANDLORD,
        conversation_id=str(uuid.uuid4()),
        message_id=str(uuid.uuid4()),
        text="ma chaudière ne marche plus, qui appeler ?",
    )
    return asyncio.run(pipeline.answer(request)).outcome


def test_each_turn_searches_the_knowledge_its_landlord_is_served(
    registry: LandlordRegistry, knowledge: KnowledgeBase
) -> None:
    asked: list[str] = []

    def for_landlord(landlord: str) -> KnowledgeBase:
        asked.append(landlord)
        return knowledge

    pipeline = Pipeline(registry, for_landlord, None, lambda landlord: None)

    assert _answer(pipeline) == "answered"
    assert asked == [LANDLORD]


def test_one_knowledge_base_still_serves_every_landlord(
    registry: LandlordRegistry, knowledge: KnowledgeBase
) -> None:
    pipeline = Pipeline(registry, knowledge, None, lambda landlord: None)

    assert pipeline.knowledge_for(LANDLORD) is knowledge
    assert pipeline.knowledge_for("autre.fr") is knowledge
    assert _answer(pipeline) == "answered"
