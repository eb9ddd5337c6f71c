"""Abusive-message detection for the local (no-LLM) understanding step.

Two lists: *insults* aimed at someone (always abusive) and *profanity* (a stressed tenant
writing "putain, plus d'eau chaude" has a real question and must not be lectured).
Lists are short and unambiguous on purpose ("con" is Spanish for "with"). Matching is on
accent-folded words.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pierre_rag.pipeline.language import fold


class Abuse(StrEnum):
    NONE = "none"
    PROFANITY = "profanity"
    INSULT = "insult"


_INSULT_WORDS = frozenset(
    """
    connard connards connasse salope salaud salopard encule enculer batard batards pute fdp ntm
    abruti abrutie debile cretin cretine idiot idiote imbecile bouffon pd pede
    stupid moron dumb asshole bitch bastard dickhead jerk idiots
    cabron gilipollas idiota estupido stronzo arschloch
    """.split()
)
_PROFANITY_WORDS = frozenset(
    "merde putain fuck fucking shit bullshit crap mierda caralho porra merda scheisse".split()
)
_INSULT_PHRASES = tuple(
    " ".join(fold(phrase).split())
    for phrase in (
        "ta gueule",
        "ferme la",
        "va te faire",
        "nique ta",
        "sers a rien",
        # "nul" alone is a thing's quality ("le chauffage est nul"), said to the assistant an insult
        "tu es nul",
        "tu es nulle",
        "t es nul",
        "t es nulle",
        "vous etes nul",
        "vous etes nuls",
        "shut up",
        "fuck off",
        "fuck you",
        "screw you",
        "go to hell",
        "piece of crap",
        "piece of shit",
        "stupid machine",
        "stupid bot",
    )
)
_WORD = re.compile(r"[a-z]+")


def classify_abuse(text: str) -> Abuse:
    words = _WORD.findall(fold(text))
    joined = f" {' '.join(words)} "
    if set(words) & _INSULT_WORDS or any(f" {p} " in joined for p in _INSULT_PHRASES):
        return Abuse.INSULT
    if set(words) & _PROFANITY_WORDS:
        return Abuse.PROFANITY
    return Abuse.NONE


def without_abuse(text: str) -> str:
    """``text`` without its abusive words, to search for a real question that may remain."""
    banned = _INSULT_WORDS | _PROFANITY_WORDS
    kept = [w for w in text.split() if not set(_WORD.findall(fold(w))) & banned]
    return " ".join(kept)
