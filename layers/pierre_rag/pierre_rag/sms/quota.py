"""Answers per number and hour: how often one person (or one machine) gets an SMS answer.

A number texting in a loop (another automated service, a stuck phone) or a person sending
dozens of messages would otherwise cost an answer — an LLM call and up to 8 billed SMS —
each time. Each landlord sets ``sms.answers_per_hour`` (default 20). The first message past
the limit gets one polite notice in French; the next ones in the same fixed one-hour window
are logged and not answered. Counters live in the rate-limits table (TTL), keyed by the
landlord and the number's keyed hash, never the number itself.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from pierre_rag.ratelimit import Limit
from pierre_rag.storage.ports import RateLimitRepository

WINDOW_S = 3600
LIMIT_NOTICE = (
    "Vous avez envoyé beaucoup de messages en peu de temps : je vous répondrai de nouveau "
    "d'ici une heure. Merci de votre compréhension."
)


class Allowance(StrEnum):
    ANSWER = "answer"
    NOTICE = "notice"  # the first message past the limit: the notice instead of an answer
    NONE = "none"  # later messages of the same window: not answered


class NumberQuota:
    def __init__(
        self, limiter: RateLimitRepository, answers_per_hour: Callable[[str], int]
    ) -> None:
        self.limiter = limiter
        self.answers_per_hour = answers_per_hour

    def take(self, landlord: str, phone_hash: str) -> Allowance:
        """Count one message of this number to this landlord, and say how to reply to it.

        The counter is incremented atomically past the limit, so exactly one message of a
        window sees ``max_hits + 1``: the notice is sent once per window, even from
        concurrent workers."""
        limit = Limit("sms-number", max_hits=self.answers_per_hour(landlord), window_s=WINDOW_S)
        verdict = self.limiter.hit(limit, f"{landlord}#{phone_hash}")
        if verdict.allowed:
            return Allowance.ANSWER
        return Allowance.NOTICE if verdict.hits == limit.max_hits + 1 else Allowance.NONE
