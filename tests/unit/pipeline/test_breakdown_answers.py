"""A breakdown reported out of hours: the answer gives the landlord's on-call line, on the web
and by SMS, with and without an LLM; an emergency's block gives it once, not twice."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from pierre_rag.channel import Channel
from pierre_rag.pipeline import Outcome, Pipeline, TurnRequest
from pierre_rag.sms.splitting import split_sms
from pierre_rag.storage.memory import MemoryConversations
from tests.fakes.llm import ScriptedLlm

LANDLORD = "exemple-hlm.fr"
BREAKDOWN = "Ma chaudière ne fonctionne plus ce soir, qui appeler ?"
ON_CALL_LINE = "Urgence hors des heures d'ouverture : astreinte 01 99 00 99 99."


def _ask(pipeline: Pipeline, text: str, channel: Channel):
    request = TurnRequest(
        landlord=LANDLORD,
        channel=channel,
        conversation_id=f"conv-{uuid.uuid4()}",
        message_id=str(uuid.uuid4()),
        text=text,
    )

    async def collect():
        return [event async for event in pipeline.stream(request)]

    result = asyncio.run(collect())[-1].result
    assert result is not None
    return result


def _understood(text: str) -> str:
    return json.dumps(
        {
            "language": "fr",
            "in_scope": True,
            "abusive": False,
            "standalone_question": text,
            "search_queries": [text],
        }
    )


@pytest.mark.parametrize("channel", ["web", "sms"])
def test_an_extractive_answer_to_a_breakdown_ends_with_the_on_call_line(
    registry, knowledge, channel
):
    # Given the example landlord, whose file names an on-call line, and no LLM
    pipeline = Pipeline(registry, knowledge, MemoryConversations(), llm_for=lambda _: None)

    # When a tenant reports a breakdown in the evening
    result = _ask(pipeline, BREAKDOWN, channel)

    # Then the boiler section is quoted, then the agency and the on-call line, within budget
    assert result.outcome is Outcome.ANSWERED
    assert "contrat d'entretien" in result.text
    assert result.text.endswith(ON_CALL_LINE)
    if channel == "sms":
        assert len(split_sms(result.text, max_parts=3).parts) <= 3
        assert not split_sms(result.text, max_parts=3).truncated


@pytest.mark.parametrize("channel", ["web", "sms"])
def test_a_question_on_who_pays_gets_no_on_call_line(registry, knowledge, channel):
    pipeline = Pipeline(registry, knowledge, MemoryConversations(), llm_for=lambda _: None)

    result = _ask(pipeline, "Qui paie l'entretien annuel de la chaudière ?", channel)

    assert result.outcome is Outcome.ANSWERED
    assert "astreinte" not in result.text


def test_an_emergency_block_gives_the_on_call_line_once(registry, knowledge):
    # Given a major leak: an emergency, whose block already names the on-call line
    pipeline = Pipeline(registry, knowledge, MemoryConversations(), llm_for=lambda _: None)

    result = _ask(pipeline, "inondation dans la salle de bain, l'eau fuit chez le voisin", "web")

    # Then the line is in the block, and the answer after it does not repeat it
    assert result.emergencies == ["water"]
    assert result.text.count("01 99 00 99 99") == 1
    assert ON_CALL_LINE not in result.text


def test_the_llm_is_asked_to_give_the_on_call_line(registry, knowledge):
    # Given an LLM
    llm = ScriptedLlm(understood=_understood(BREAKDOWN), answer="Appelez l'entreprise [1].")
    pipeline = Pipeline(registry, knowledge, MemoryConversations(), llm_for=lambda _: llm)

    # When a breakdown is reported
    _ask(pipeline, BREAKDOWN, "web")

    # Then the generation prompt carries the on-call line to give
    generation = [call for call in llm.calls if call.kind == "stream"][-1]
    assert ON_CALL_LINE in generation.messages[0].content


def test_the_llm_is_not_asked_for_it_without_a_breakdown(registry, knowledge):
    question = "Qui paie l'entretien annuel de la chaudière ?"
    llm = ScriptedLlm(understood=_understood(question), answer="Le locataire [1].")
    pipeline = Pipeline(registry, knowledge, MemoryConversations(), llm_for=lambda _: llm)

    _ask(pipeline, question, "web")

    generation = [call for call in llm.calls if call.kind == "stream"][-1]
    assert "astreinte" not in generation.messages[0].content
