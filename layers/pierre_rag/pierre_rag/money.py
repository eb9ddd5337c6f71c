"""Costs as staff read them: in euros, converted at one rate.

Turns store their cost in US dollars, as providers bill it (:mod:`pierre_rag.pipeline.cost`);
every page and export that shows a cost converts it with :func:`euros` at the rate the
``PIERRE_USD_TO_EUR`` setting gives (:attr:`pierre_rag.settings.Settings.usd_to_eur`).
"""

from __future__ import annotations

# Euros per US dollar by default: a round figure chosen on USD_TO_EUR_DATE, not a live rate;
# set PIERRE_USD_TO_EUR to follow the market.
USD_TO_EUR = 0.86
USD_TO_EUR_DATE = "2026-11-30"


def euros(usd: float, rate: float = USD_TO_EUR) -> float:
    """A cost in US dollars, in euros at ``rate``."""
    return usd * rate
