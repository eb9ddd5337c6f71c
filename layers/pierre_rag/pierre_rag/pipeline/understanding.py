"""Understanding a message: one structured LLM call, validated, with a local fallback."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from pierre_rag.conversations import Turn
from pierre_rag.llm import LlmClient, LlmError, LlmNoAnswerError, Usage
from pierre_rag.llm.usable import usable_completion
from pierre_rag.pipeline.language import fold, guess_language
from pierre_rag.pipeline.models import Understanding
from pierre_rag.pipeline.moderation import Abuse, classify_abuse, without_abuse
from pierre_rag.pipeline.prompts import understanding_messages

logger = logging.getLogger(__name__)

_SMALL_TALK = frozenset(
    "bonjour bonsoir salut bjr slt coucou hello hi hey merci mrc thanks thank you ok okay "
    "daccord d accord au revoir bye hola gracias obrigado ola grazie ciao danke hallo "
    "merhaba tesekkurler beaucoup much very a bientot bonne journee soiree".split()
)
_WORD = re.compile(r"[a-z]+")


def is_small_talk(text: str) -> bool:
    """Only greetings or thanks, no question ("bonjour", "merci beaucoup !")."""
    words = _WORD.findall(fold(text))
    return bool(words) and len(words) <= 4 and all(word in _SMALL_TALK for word in words)


def heuristic_understanding(text: str) -> Understanding:
    """Rules only: language guess, abuse lists; in-scope is decided later from retrieval,
    follow-up or new topic at retrieval too (the message is searched with and without the
    previous turn, see ``pipeline.retrieve``)."""
    abuse = classify_abuse(text)
    question = without_abuse(text) if abuse is not Abuse.NONE else text
    return Understanding(
        language=guess_language(text),
        in_scope=True,
        abusive=abuse is Abuse.INSULT,
        standalone_question=question,
        search_queries=[question] if question.strip() else [],
        source="heuristic",
    )


@dataclass
class UnderstandingOutcome:
    understanding: Understanding
    usage: Usage = field(default_factory=Usage)
    round_trips: int = 0
    model: str | None = None
    failed: bool = False  # the LLM was asked and the heuristic understood instead


async def understand(
    text: str, history: Sequence[Turn], llm: LlmClient | None
) -> UnderstandingOutcome:
    if llm is None:
        return UnderstandingOutcome(heuristic_understanding(text))
    outcome = UnderstandingOutcome(heuristic_understanding(text), model=llm.name)
    messages = understanding_messages(history, text)
    for attempt in (1, 2):
        try:
            completion = await llm.complete(
                messages, max_tokens=300, temperature=0.0, json_object=True
            )
        except LlmError as error:
            logger.warning("understanding call failed, using the local heuristic: %s", error)
            outcome.failed = True
            return outcome
        outcome.round_trips += 1
        outcome.usage.add(completion.usage)
        try:
            usable_completion(completion)
        except LlmNoAnswerError as error:  # at temperature 0, asking again gets nothing again
            logger.warning("understanding got no answer, using the local heuristic: %s", error)
            outcome.failed = True
            return outcome
        try:
            parsed = Understanding.model_validate({**json.loads(completion.text), "source": "llm"})
        except (json.JSONDecodeError, ValidationError, TypeError) as error:
            logger.warning("understanding attempt %d returned invalid JSON: %s", attempt, error)
            continue
        if not parsed.search_queries and parsed.standalone_question:
            parsed.search_queries = [parsed.standalone_question]
        outcome.understanding = parsed
        return outcome
    outcome.failed = True  # twice invalid JSON
    return outcome
