"""Costs as staff read them: in euros, converted at one rate.

Turns store their cost in US dollars, as providers bill it (:mod:`pierre_rag.pipeline.cost`);
every page and export that shows a cost converts it with :func:`euros` at the rate the
``PIERRE_USD_TO_EUR`` setting gives (:attr:`pierre_rag.settings.Settings.usd_to_eur`).
"""

from __future__ import annotations

from pierre_rag.settings import USD_TO_EUR, USD_TO_EUR_DATE

__all__ = ["USD_TO_EUR", "USD_TO_EUR_DATE", "euros"]


def euros(usd: float, rate: float = USD_TO_EUR) -> float:
    """A cost in US dollars, in euros at ``rate``."""
    return usd * rate
