"""Landlord SMS numbers → landlord id, for the webhook.

:func:`pierre_rag.tenants.tenant_registry` validates the full tenant files but importing it
pulls the knowledge package (numpy, ~0.5 s); the webhook only needs ``id`` and
``sms.numbers``, so it reads them here from the same files, in the same two layouts
(``<dir>/<id>/tenant.yaml`` and ``<dir>/<id>.yaml``). The full registry (worker, tests)
rejects invalid files, so this reader can stay lenient.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml

from pierre_rag.phones import InvalidPhoneNumberError, normalise_phone


def _tenant_files(directory: Path) -> Iterator[Path]:
    if directory.is_dir():
        yield from sorted(directory.glob("*/tenant.yaml"))
        yield from sorted(directory.glob("*.yaml"))


def read_routes(directory: Path) -> dict[str, str]:
    routes: dict[str, str] = {}
    for path in _tenant_files(directory):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            continue
        numbers = (data.get("sms") or {}).get("numbers") or []
        for raw in numbers:
            try:
                routes[normalise_phone(str(raw))] = data["id"]
            except InvalidPhoneNumberError:
                continue
    return routes


@functools.cache
def sms_routes(directory: Path | None = None) -> dict[str, str]:
    """Normalised landlord number → landlord id (read once per container)."""
    if directory is None:
        from pierre_rag.settings import Settings

        directory = Settings.from_env().tenants_dir
    return read_routes(directory)


def tenant_for(number: str, routes: Mapping[str, str]) -> str | None:
    try:
        return routes.get(normalise_phone(number))
    except InvalidPhoneNumberError:
        return None
