"""Understanding a message: one structured LLM call, validated, with a local fallback."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import ValidationError

from pierre_rag.conversations import Turn
from pierre_rag.llm import LlmClient, LlmError, LlmNoAnswerError, Usage
from pierre_rag.llm.usable import usable_completion
from pierre_rag.pipeline.language import fold, guess_language
from pierre_rag.pipeline.models import Understanding
from pierre_rag.pipeline.moderation import Abuse, classify_abuse, without_abuse
from pierre_rag.pipeline.prompts import understanding_messages

logger = logging.getLogger(__name__)

# Small talk, folded, by what it does: a greeting opens a conversation; thanks, a goodbye or
# an acknowledgement closes an exchange and must not be answered with the greeting again.
_GREETINGS = frozenset(
    "bonjour bonsoir salut bjr slt coucou hello hi hey hola buenas buenos dias ola oi "
    "ciao buongiorno buonasera salve hallo guten tag morgen merhaba selam good morning "
    "evening afternoon".split()
)
_THANKS = frozenset(
    "merci mrc beaucoup thanks thank you thx ty much very gracias muchas obrigado obrigada "
    "muito grazie mille danke schon vielen dank tesekkurler tesekkur ederim cok sagol".split()
)
_GOODBYES = frozenset(
    "au revoir bye goodbye a bientot bonne journee soiree adios tchau adeus arrivederci "
    "tschuss hosca kal".split()
)
_ACKNOWLEDGEMENTS = frozenset("ok okay daccord d accord vale alright tamam".split())
_SMALL_TALK = _GREETINGS | _THANKS | _GOODBYES | _ACKNOWLEDGEMENTS
_WORD = re.compile(r"[a-z]+")


class SmallTalk(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    ACKNOWLEDGEMENT = "acknowledgement"


def small_talk(text: str) -> SmallTalk | None:
    """What a message made only of greetings, thanks, goodbyes or "ok" does ("merci beaucoup
    !", "ok au revoir"); None for anything else. A goodbye closes, then thanks, then "ok"."""
    words = _WORD.findall(fold(text))
    if not words or len(words) > 4 or any(word not in _SMALL_TALK for word in words):
        return None
    said = set(words)
    if said & _GOODBYES:
        return SmallTalk.GOODBYE
    if said & _THANKS:
        return SmallTalk.THANKS
    if said & _ACKNOWLEDGEMENTS:
        return SmallTalk.ACKNOWLEDGEMENT
    return SmallTalk.GREETING


def is_small_talk(text: str) -> bool:
    """Only greetings or thanks, no question ("bonjour", "merci beaucoup !")."""
    return small_talk(text) is not None


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
