"""The place table: départements with their région, and commune names folded to département
numbers (``data/places.tsv``, built by ``infra/build_places.py``; ``knowledge.places`` finds
them in a question, ``knowledge.place_table`` ships them parsed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pierre_rag.knowledge.text import stopwords, tokens

TABLE_PATH = Path(__file__).parent / "data" / "places.tsv"


@dataclass(frozen=True)
class Department:
    number: str  # as written on a letter: "32", "2A", "971"
    name: str
    region: str


@dataclass(frozen=True, eq=False)
class Gazetteer:
    """Départements by number, and folded commune or département names → numbers."""

    departments: Mapping[str, Department]
    names: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(
        cls, departments: Iterable[Department], communes: Iterable[tuple[str, str]]
    ) -> Gazetteer:
        by_number = {d.number: d for d in departments}
        names: dict[str, dict[str, None]] = {}
        for name, number in [*communes, *((d.name, d.number) for d in by_number.values())]:
            key = " ".join(tokens(name))
            if key and key not in stopwords():
                names.setdefault(key, {})[number] = None
        return cls(by_number, {k: tuple(v) for k, v in names.items()})


def render_table(
    departments: Sequence[Department], communes: Iterable[tuple[str, str]], sources: str
) -> str:
    """The text of data/places.tsv: département rows, then commune rows (sorted, unique)."""
    lines = [
        f"# Built by infra/build_places.py (make places) from {sources}; do not edit.",
        "# D <number> <name> <région> | C <commune> <département numbers>",
    ]
    lines += [f"D\t{d.number}\t{d.name}\t{d.region}" for d in departments]
    by_name: dict[str, dict[str, None]] = {}
    for name, number in communes:
        by_name.setdefault(name, {})[number] = None
    lines += [f"C\t{name}\t{','.join(sorted(n))}" for name, n in sorted(by_name.items())]
    return "\n".join(lines) + "\n"


def parse_table(text: str) -> Gazetteer:
    departments = []
    communes = []
    for line in text.splitlines():
        fields = line.split("\t")
        if fields[0] == "D" and len(fields) == 4:
            departments.append(Department(fields[1], fields[2], fields[3]))
        elif fields[0] == "C" and len(fields) == 3:
            communes += [(fields[1], number) for number in fields[2].split(",")]
    return Gazetteer.of(departments, communes)
