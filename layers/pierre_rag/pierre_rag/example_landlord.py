"""The fictional example landlord, and the landlords a production build ships.

``knowledge/pierre-habitat.fr/`` is a landlord to copy, not one to serve: its SMS number is
fictional and ``http://localhost:3000`` is among its widget origins. ``make dev`` and the tests
serve it; the layer built for a deploy leaves it out unless asked (``INCLUDE_EXAMPLE=1``), so
no production stack answers for it or accepts its localhost origin by mistake.
"""

from __future__ import annotations

from collections.abc import Iterable

EXAMPLE_LANDLORD = "pierre-habitat.fr"


def production_landlords(landlord_ids: Iterable[str], *, include_example: bool) -> list[str]:
    """``landlord_ids`` in their order, without the example landlord unless ``include_example``."""
    return [
        landlord for landlord in landlord_ids if include_example or landlord != EXAMPLE_LANDLORD
    ]


__all__ = ["EXAMPLE_LANDLORD", "production_landlords"]
