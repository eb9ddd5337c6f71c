"""Landlord SMS numbers → landlord id, for the webhook (from the validated landlord files)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pierre_rag.landlords import LandlordRegistry
from pierre_rag.phones import InvalidPhoneNumberError, normalise_phone


def routes_of(registry: LandlordRegistry) -> dict[str, str]:
    return {
        number: landlord_id
        for landlord_id in registry.ids
        for number in registry.get(landlord_id).sms.numbers
    }


def read_routes(directory: Path) -> dict[str, str]:
    return routes_of(LandlordRegistry.from_directory(directory))


def landlord_for(number: str, routes: Mapping[str, str]) -> str | None:
    try:
        return routes.get(normalise_phone(number))
    except InvalidPhoneNumberError:
        return None
