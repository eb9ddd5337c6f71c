"""Build ``knowledge/data/places.tsv``, the gazetteer that query analysis reads (issue #16).

    .venv/bin/python infra/build_places.py          # or: make places
    .venv/bin/python infra/build_places.py --check  # exit 1 if the committed table is stale

Nothing in the table is typed by hand. Départements and their régions come from ISO 3166-2
as packaged by pycountry; communes and their département from countrystatecity-countries
(the countries-states-cities database: about 10,000 French communes, the larger ones).
Both are pinned in pyproject's ``dev`` extra: they are needed to build the table, not at run
time, so the Lambda layer carries the small table only.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from importlib.metadata import version

import countrystatecity_countries as csc
import pycountry

from pierre_rag.knowledge.gazetteer import TABLE_PATH, Department, render_table

# ISO 3166-2 codes of collectivities that hold départements or stand for one (Paris, the
# Métropole de Lyon): the two-figure code a tenant writes is their number ("75", "69").
_SPECIAL_STATUS_SUFFIXES = ("C", "M")


def department_number(iso_code: str) -> str | None:
    """ "FR-32" → "32", "FR-75C" → "75", "FR-2A" → "2A", "FR-971" → "971"; régions → None."""
    code = iso_code.removeprefix("FR-")
    if code[:2].isdigit() and len(code) == 3 and code.endswith(_SPECIAL_STATUS_SUFFIXES):
        return code[:2]
    if code.isdigit() or (len(code) == 2 and code[0] == "2" and code[1] in "AB"):
        return code
    return None


def region_of(subdivision: object, by_code: dict[str, object]) -> str:
    """The région a subdivision lies in: up the parent chain to a région, or itself when it
    has none (overseas départements, Corsica)."""
    current = subdivision
    while True:
        parent_code = getattr(current, "parent_code", None)
        kind = str(getattr(current, "type", "")).lower()
        if "region" in kind or parent_code is None or parent_code not in by_code:
            return str(getattr(current, "name", ""))
        current = by_code[parent_code]


def departments() -> list[Department]:
    subdivisions = list(pycountry.subdivisions.get(country_code="FR") or [])  # type: ignore[no-untyped-call]
    by_code: dict[str, object] = {s.code: s for s in subdivisions}
    out: dict[str, Department] = {}
    # the département before a collectivity of the same number (Rhône, not Métropole de Lyon)
    for subdivision in sorted(subdivisions, key=lambda s: "department" not in s.type.lower()):
        number = department_number(subdivision.code)
        if number is None or number in out:
            continue
        parent = by_code.get(subdivision.parent_code) if subdivision.parent_code else None
        region = region_of(parent, by_code) if parent is not None else subdivision.name
        out[number] = Department(number, subdivision.name, region)
    return sorted(out.values(), key=lambda d: d.number)


def communes(known: Iterable[str]) -> list[tuple[str, str]]:
    """(commune name, département number) for the package's French communes."""
    numbers = set(known)
    out = []
    for city in csc.get_cities_of_country("FR"):
        number = department_number(f"FR-{city.state_code}")
        if number in numbers:
            out.append((city.name, number))
    return out


def table_text() -> str:
    """What data/places.tsv holds for the installed packages."""
    deps = departments()
    sources = (
        f"pycountry {version('pycountry')} (ISO 3166-2, LGPL-2.1) and "
        f"countrystatecity-countries {version('countrystatecity-countries')} (ODbL 1.0)"
    )
    return render_table(deps, communes(d.number for d in deps), sources)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare with the table")
    args = parser.parse_args()
    text = table_text()
    if args.check:
        if TABLE_PATH.read_text("utf-8") != text:
            raise SystemExit(f"{TABLE_PATH} is stale: run make places")
        print(f"{TABLE_PATH} is up to date")
        return
    TABLE_PATH.write_text(text, "utf-8")
    print(f"wrote {TABLE_PATH} ({len(text.encode()) // 1024} KiB)")


if __name__ == "__main__":
    main()
