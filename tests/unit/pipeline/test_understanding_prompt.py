"""The understanding prompt and the model that validates its answer agree on the keys."""

from __future__ import annotations

import re

from pierre_rag.pipeline.models import Understanding
from pierre_rag.pipeline.prompts import UNDERSTANDING_SYSTEM

_REQUESTED_KEY = re.compile(r'^[{ ]"([a-z_]+)":', re.MULTILINE)


def test_the_prompt_asks_for_exactly_the_keys_the_model_keeps():
    # Given the keys the understanding prompt asks the LLM for
    requested = set(_REQUESTED_KEY.findall(UNDERSTANDING_SYSTEM))

    # When they are compared with what Understanding keeps (its source is set by the caller)
    kept = set(Understanding.model_fields) - {"source"}

    # Then the LLM spends no output tokens on a key nothing keeps, and none is missing
    assert requested == kept


def test_a_reply_with_a_key_no_longer_asked_for_is_still_understood():
    # Given a reply from a model that still adds a key the prompt no longer asks for
    reply = {
        "language": "FR",
        "in_scope": True,
        "abusive": False,
        "standalone_question": "Quel est le préavis à Lyon ?",
        "search_queries": ["préavis départ"],
        "location": "Lyon",
    }

    # When it is validated
    understood = Understanding.model_validate({**reply, "source": "llm"})

    # Then the known keys are kept and the extra one is ignored
    assert understood.language == "fr"
    assert understood.search_queries == ["préavis départ"]
    assert "location" not in understood.model_dump()
