"""Landlord SMS numbers → landlord id, for the webhook (from the validated tenant files)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pierre_rag.phones import InvalidPhoneNumberError, normalise_phone
from pierre_rag.tenants import TenantRegistry


def routes_of(registry: TenantRegistry) -> dict[str, str]:
    return {
        number: tenant_id
        for tenant_id in registry.ids
        for number in registry.get(tenant_id).sms.numbers
    }


def read_routes(directory: Path) -> dict[str, str]:
    return routes_of(TenantRegistry.from_directory(directory))


def tenant_for(number: str, routes: Mapping[str, str]) -> str | None:
    try:
        return routes.get(normalise_phone(number))
    except InvalidPhoneNumberError:
        return None
