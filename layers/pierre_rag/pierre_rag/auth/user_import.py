"""Bulk creation of staff accounts from CSV (``email, role[, name]``): parse and check every
row first, so the administrator sees a preview with per-row errors before anything is written."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass

from pierre_rag.auth.access import StaffRole
from pierre_rag.auth.landlord_domains import foreign_address_problem
from pierre_rag.auth.users import is_valid_email, normalise_email

# One DynamoDB write per row (one-time passwords take microseconds to hash): 200 rows take
# about a second, far from the 29 s API timeout, and stay readable on one results page.
MAX_ROWS = 200
MAX_BYTES = 100_000
ROLE_NAMES: dict[str, StaffRole] = {
    **{role.value: role for role in StaffRole},
    "administrateur": StaffRole.ADMINISTRATOR,
    "administratrice": StaffRole.ADMINISTRATOR,
    "contributeur": StaffRole.CONTRIBUTOR,
    "contributrice": StaffRole.CONTRIBUTOR,
    "collaborateur": StaffRole.COLLABORATOR,
    "collaboratrice": StaffRole.COLLABORATOR,
}


class ImportTooLargeError(ValueError):
    pass


@dataclass(frozen=True)
class ImportRow:
    line: int
    email: str
    role: StaffRole | None
    name: str
    error: str | None = None


def parse_role(value: str) -> StaffRole | None:
    return ROLE_NAMES.get(value.strip().lower())


def parse_users_csv(
    text: str, existing: set[str], *, landlord: str, landlords: Collection[str]
) -> list[ImportRow]:
    """Rows of ``text`` with an error message (French) on each bad row.

    The separator is ``,`` or ``;`` (French spreadsheets); a first line naming the columns is
    skipped. ``existing`` are the addresses that already have an account here; an address at
    the domain of another of the configured ``landlords`` is refused for ``landlord``.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ImportTooLargeError(f"le fichier dépasse {MAX_BYTES // 1000} Ko")
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows: list[ImportRow] = []
    seen: set[str] = set()
    for line, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if line == 1 and cells[0].lower() in ("email", "e-mail", "courriel", "adresse"):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportTooLargeError(
                f"plus de {MAX_ROWS} comptes dans un fichier ; "
                f"découpez-le en imports de {MAX_ROWS} lignes au plus"
            )
        row = _check(line, cells, seen, existing)
        foreign = foreign_address_problem(row.email, landlord, landlords)
        if row.error is None and foreign:
            row = ImportRow(row.line, row.email, row.role, row.name, foreign)
        rows.append(row)
    return rows


def _check(line: int, cells: list[str], seen: set[str], existing: set[str]) -> ImportRow:
    email = normalise_email(cells[0])
    raw_role = cells[1] if len(cells) > 1 else ""
    role = parse_role(raw_role)
    name = cells[2][:120] if len(cells) > 2 else ""
    error: str | None = None
    if len(cells) > 3:
        error = "trop de colonnes (attendu : email, rôle, nom)"
    elif not is_valid_email(email):
        error = "adresse e-mail invalide"
    elif role is None:
        error = f"rôle inconnu « {raw_role[:40]} »" if raw_role else "rôle manquant"
    elif email in seen:
        error = "adresse en double dans le fichier"
    elif email in existing:
        error = "un compte existe déjà pour cette adresse"
    seen.add(email)
    return ImportRow(line, email[:254], role, name, error)
