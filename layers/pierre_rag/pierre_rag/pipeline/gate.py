"""Gate: which messages get a fixed reply instead of a searched answer.

Two checks, because the local heuristic cannot judge scope without retrieval: :func:`gate` runs
on the understanding alone (small talk, a request for a person, insults with nothing to search,
an LLM's off-topic verdict); :func:`gate_search` runs on what the search found (the heuristic's
off-topic verdict, and "nothing found"). A message both let through is answered from its
sources. The heuristic refuses a message as off-topic only when it names no housing matter
(``pipeline.scope``), comes close to no topic the assistant covers (``knowledge.scope``) and
the search found no section close — or the only section close is outweighed by a subject the
assistant does not cover ("comment on fait un CV" near an article on finding work). After a
turn, a message that does not read as a follow-up is judged by its own closeness when it is an
insult or comes closer to such a subject (docs/gate.md, "After a turn"). A housing question the
knowledge does not answer gets "nothing found" and the landlord's contact, not a
refusal: a wrongly refused tenant is worse than an answered off-topic question.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pierre_rag.conversations import Turn
from pierre_rag.knowledge.models import Closeness, SearchResponse
from pierre_rag.pipeline import messages
from pierre_rag.pipeline.models import Outcome, Understanding
from pierre_rag.pipeline.person import asks_for_a_person
from pierre_rag.pipeline.scope import names_housing_matter
from pierre_rag.pipeline.understanding import SmallTalk, small_talk

# From this probability (``knowledge.followup``: a leading link or pronoun), a message leans on
# the turn before for its scope too.
FOLLOW_UP = 0.5
_REFUSED = frozenset({Outcome.OFF_TOPIC.value, Outcome.ABUSIVE.value})


@dataclass(frozen=True)
class FixedReply:
    """A reply written without sources (its markup is the channel's, see ``ChannelStyle``)."""

    outcome: Outcome
    text: str


def refusal(understanding: Understanding) -> FixedReply:
    """The polite refusal that says what the assistant can do, in the user's language."""
    if understanding.abusive:
        return FixedReply(Outcome.ABUSIVE, messages.abusive(understanding.language))
    return FixedReply(Outcome.OFF_TOPIC, messages.off_topic(understanding.language))


def gate(
    text: str,
    understanding: Understanding,
    greeting: str,
    *,
    after_a_reply: bool = False,
    handoff: str | None = None,
) -> FixedReply | None:
    """Before the search: the fixed reply ``text`` gets, or None to search for an answer.
    ``handoff``: the landlord's contact as the channel writes it, for a request for a person."""
    talk = small_talk(text)
    if talk is not None:
        return FixedReply(
            Outcome.ANSWERED, small_talk_reply(talk, understanding, greeting, after_a_reply)
        )
    if asks_for_a_person(text):
        return FixedReply(Outcome.HANDOFF, messages.person(understanding.language, handoff))
    if understanding.abusive and not understanding.search_queries:
        return refusal(understanding)
    if understanding.source == "llm" and not understanding.in_scope:
        return refusal(understanding)
    return None


def small_talk_reply(
    talk: SmallTalk, understanding: Understanding, greeting: str, after_a_reply: bool
) -> str:
    """The greeting opens a conversation; after a reply, thanks, a goodbye or an "ok" get a
    short closing in the user's language ("merci" was answered "Bonjour, je suis l'assistant…")."""
    if talk is SmallTalk.GREETING or not after_a_reply:
        return messages.greeting(greeting, understanding.language)
    p = messages.phrases(understanding.language)
    if talk is SmallTalk.THANKS:
        return p.thanked
    if talk is SmallTalk.GOODBYE:
        return p.goodbye
    return p.anything_else


def gate_search(
    understanding: Understanding,
    found: SearchResponse,
    *,
    in_scope_min_cosine: float,
    nothing_found_min_cosine: float,
    scope_min_cosine: float,
    heading_min_idf: float = math.inf,
    elsewhere_margin: float,
    handoff: str | None,
    after_an_answer: bool = False,
) -> FixedReply | None:
    """After the search: the fixed reply when the sections found cannot ground an answer.
    A match is weak when the best cosine is under ``nothing_found_min_cosine``, no word of
    the message rarer than ``heading_min_idf`` heads one of the first sections found, and the
    message names no acronym the knowledge defines.
    ``after_an_answer``: the conversation's last reply answered a question (see
    :func:`follows_an_answer`); a follow-up of it is in scope as that question was."""
    closeness = _judged_closeness(found, understanding, elsewhere_margin)
    # Closeness to a covered topic is a hint for a plain question, not for what is left of an
    # insult ("sale IA de…" comes close to cleanliness): that must name a housing matter.
    near_topic = closeness.scope_cosine >= scope_min_cosine and not understanding.abusive
    elsewhere = closeness.elsewhere_cosine >= closeness.scope_cosine + elsewhere_margin
    in_scope = (
        (closeness.top_cosine >= in_scope_min_cosine and not elsewhere)
        or near_topic
        or any(
            names_housing_matter(query)
            for query in (understanding.standalone_question, *understanding.search_queries)
        )
        or bool(found.acronyms)  # "c'est quoi le SIAO ?": the knowledge defines it
        or (after_an_answer and _reads_as_follow_up(found) and not understanding.abusive)
    )
    if understanding.source == "heuristic" and not in_scope:
        return refusal(understanding)
    weak = (
        found.top_cosine < nothing_found_min_cosine
        and found.heading_idf < heading_min_idf
        and not found.acronyms
    )
    if not found.results or weak:
        text = messages.nothing_found(understanding.language, handoff)
        return FixedReply(Outcome.NOTHING_FOUND, text)
    return None


def follows_an_answer(history: Sequence[Turn]) -> bool:
    """Whether the conversation's last reply answered a question ("nothing found" included)
    rather than refused one: "ok et comment on l'obtient" after an answer on Visale names
    nothing itself, and the search, message and turn before together, comes close to nothing."""
    replies = [turn for turn in history if turn.role == "assistant"]
    return bool(replies) and replies[-1].outcome not in _REFUSED


def _reads_as_follow_up(found: SearchResponse) -> bool:
    return found.follow_up is not None and found.follow_up >= FOLLOW_UP


def _judged_closeness(
    found: SearchResponse, understanding: Understanding, elsewhere_margin: float
) -> Closeness:
    """What judges the message's scope: the search's closeness (the message's and, when it was
    searched with the turn before too, the turn before's), or the message's own when it does
    not read as a follow-up and is an insult or comes closer to a subject the assistant does
    not cover. Else the turn before lends its closeness to anything: "une recette de crêpes ?"
    after a deposit question, or "t'es vraiment un robot débile" after a leak, were answered
    from the sections of the turn before. A short question that names nothing ("combien ça
    coûte ?") still leans on the turn before."""
    alone = found.alone
    if alone is not None and not _reads_as_follow_up(found):
        elsewhere = alone.elsewhere_cosine >= alone.scope_cosine + elsewhere_margin
        if elsewhere or understanding.abusive:
            return alone
    return found.closeness


def courtesy_reminder(understanding: Understanding) -> str:
    """An insult that carries a real question is answered, after a short reminder."""
    if not understanding.abusive:
        return ""
    return messages.phrases(understanding.language).abusive_reminder + "\n\n"
