"""Understand: one structured LLM call, validated, with the local rules as the fallback."""

from __future__ import annotations

import asyncio
import json

import pytest

from pierre_rag.pipeline.understanding import understand
from tests.fakes.llm import ScriptedLlm

QUESTION = "et pour un meublé ?"


def test_without_an_llm_the_local_rules_understand_the_message():
    outcome = asyncio.run(understand(QUESTION, [], None))

    assert outcome.understanding.source == "heuristic"
    assert outcome.round_trips == 0 and outcome.model is None


def test_the_llms_reading_is_kept_and_its_rewrite_searched_when_it_gave_no_query():
    # Given an LLM that rewrites the question but proposes no search query
    reply = {
        "language": "fr",
        "in_scope": True,
        "abusive": False,
        "standalone_question": "Préavis pour un meublé ?",
        "search_queries": [],
    }
    llm = ScriptedLlm(understood=json.dumps(reply))

    # When the message is understood
    outcome = asyncio.run(understand(QUESTION, [], llm))

    # Then the rewrite is searched, and the call is counted
    assert outcome.understanding.source == "llm"
    assert outcome.understanding.search_queries == ["Préavis pour un meublé ?"]
    assert (outcome.round_trips, outcome.usage.prompt_tokens) == (1, 11)


def test_invalid_json_is_asked_twice_then_the_local_rules_answer():
    llm = ScriptedLlm(understood="pas du json")

    outcome = asyncio.run(understand(QUESTION, [], llm))

    assert [call.kind for call in llm.calls] == ["complete", "complete"]
    assert outcome.round_trips == 2 and outcome.understanding.source == "heuristic"


def test_a_failed_call_falls_back_to_the_local_rules():
    outcome = asyncio.run(understand(QUESTION, [], ScriptedLlm(fail_understanding=True)))

    assert outcome.understanding.source == "heuristic" and outcome.round_trips == 0


@pytest.mark.parametrize(
    "llm",
    [
        ScriptedLlm(understood=""),
        ScriptedLlm(understood="  \n"),
        ScriptedLlm(
            understood='{"language": "fr", "in_scope": false}', finish_reason="content_filter"
        ),
    ],
    ids=["empty", "blank", "filtered"],
)
def test_an_understanding_call_answering_nothing_falls_back_to_the_local_rules_at_once(llm):
    # Given an LLM whose JSON-mode answer is empty, blank or stopped by its filter
    # When the message is understood
    outcome = asyncio.run(understand(QUESTION, [], llm))

    # Then the local rules answer, without asking again (at temperature 0, again nothing),
    # and the call's tokens are counted
    assert outcome.understanding.source == "heuristic"
    assert (outcome.round_trips, outcome.usage.prompt_tokens, len(llm.calls)) == (1, 11, 1)
