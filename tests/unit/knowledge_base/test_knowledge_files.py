"""Format check of every knowledge file (see knowledge/README.md), one test per file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pierre_rag.landlords import load_landlord_file
from tests.helpers import REPO_ROOT
from tests.unit.knowledge_base.kb_format import (
    Problem,
    check_landlord_yaml,
    check_markdown,
    landlord_files,
    markdown_files,
)

KNOWLEDGE = REPO_ROOT / "knowledge"
MARKDOWN = markdown_files(KNOWLEDGE) if KNOWLEDGE.is_dir() else []
LANDLORDS = landlord_files(KNOWLEDGE) if KNOWLEDGE.is_dir() else []


def _rel(path: Path) -> str:
    return path.relative_to(KNOWLEDGE).as_posix()


def _report(path: Path, problems: list[Problem]) -> str:
    return "\n".join(f"knowledge/{_rel(path)}:{p.line}: {p.message}" for p in problems)


@pytest.mark.parametrize("path", MARKDOWN, ids=_rel)
def test_knowledge_article_is_well_formed(path: Path) -> None:
    # given a markdown file of the knowledge base
    # when every format rule is applied to it
    problems = check_markdown(path, KNOWLEDGE)

    # then none is broken (each failure names the file and the line)
    assert not problems, _report(path, problems)


@pytest.mark.parametrize("path", LANDLORDS, ids=_rel)
def test_landlord_yaml_is_well_formed(path: Path) -> None:
    # given a landlord's landlord.yaml
    # when it is parsed and checked
    problems = check_landlord_yaml(path)

    # then its id is its folder and it has a default context
    assert not problems, _report(path, problems)


@pytest.mark.parametrize("path", LANDLORDS, ids=_rel)
def test_landlord_yaml_loads_as_the_functions_load_it(path: Path) -> None:
    # given a landlord's landlord.yaml
    # when the functions' own loader reads it (every field validated)
    # then it loads, or the error names the file and the field
    assert load_landlord_file(path, path.parent.name).id == path.parent.name


def test_the_knowledge_base_has_community_and_landlord_files() -> None:
    # given the knowledge folder
    # when its files are listed
    kinds = {_rel(p).split("/", 1)[0] for p in MARKDOWN}

    # then there are community articles and at least one landlord with a landlord.yaml
    assert "commun" in kinds
    assert LANDLORDS


# --- negative tests: the checker catches each defect -----------------------------------------

GOOD = """---
title: "Exemple"
updated: 2026-11
tags: [exemple, test, format]
---

# Exemple

Une introduction courte.

## Qui paie la réparation ?

Le locataire paie les petites réparations (joints, ampoules).

## Références

- [Loi de 1989](https://www.legifrance.gouv.fr/loda/id/JORFTEXT000000509310)
- [ANIL](https://www.anil.org/)
"""


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _messages(root: Path, rel: str, text: str) -> list[str]:
    return [f"{p.line}:{p.message}" for p in check_markdown(_write(root, rel, text), root)]


def test_a_well_formed_community_article_passes(tmp_path: Path) -> None:
    # given a community article that follows every rule
    # when it is checked
    messages = _messages(tmp_path, "commun/exemple.md", GOOD)

    # then nothing is reported
    assert messages == []


@pytest.mark.parametrize(
    ("defect", "text", "expected"),
    [
        ("no front matter", GOOD.split("---\n", 2)[2], "missing front matter"),
        ("invalid yaml", GOOD.replace('title: "Exemple"', "title: [oops"), "not valid YAML"),
        (
            "not a mapping",
            GOOD.replace('title: "Exemple"\nupdated: 2026-11\n', "- a\n- b\n").replace(
                "tags: [exemple, test, format]\n", ""
            ),
            "must be a YAML mapping",
        ),
        ("no title", GOOD.replace('title: "Exemple"\n', ""), "'title'"),
        ("bad updated", GOOD.replace("updated: 2026-11", "updated: novembre"), "'updated'"),
        ("uppercase tag", GOOD.replace("exemple, test", "Exemple, test"), "'tags'"),
        ("two titles", GOOD.replace("## Qui paie", "# Qui paie"), "exactly one '# '"),
        (
            "empty section",
            GOOD.replace("Le locataire paie les petites réparations (joints, ampoules).", ""),
            "empty section",
        ),
        ("level jump", GOOD.replace("## Qui paie", "#### Qui paie"), "level jumps from 1 to 4"),
        ("no references", GOOD.replace("## Références", "## Sources"), "'## Références'"),
        ("one link", GOOD.replace("- [ANIL](https://www.anil.org/)\n", ""), "at least 2 https"),
        (
            "broken link",
            GOOD.replace("Une introduction courte.", "Voir [ceci](absent.md#titre)."),
            "broken internal link",
        ),
        ("doubled word", GOOD.replace("Le locataire paie", "Le le locataire paie"), "doubled word"),
        ("double space", GOOD.replace("Le locataire paie", "Le locataire  paie"), "double space"),
        ("parenthesis", GOOD.replace("ampoules).", "ampoules."), "unbalanced parentheses"),
        ("guillemets", GOOD.replace("Une introduction", "Une « introduction"), "« »"),
        ("bold", GOOD.replace("Une introduction", "Une **introduction"), "unbalanced **"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else "",
)
def test_the_checker_catches_each_defect(
    tmp_path: Path, defect: str, text: str, expected: str
) -> None:
    # given a community article with one defect
    # when it is checked
    messages = _messages(tmp_path, "commun/exemple.md", text)

    # then the defect is reported, with its line
    assert any(expected in m for m in messages), (defect, messages)
    assert all(int(m.split(":", 1)[0]) >= 1 for m in messages)


def test_the_checker_reports_the_line_of_the_defect(tmp_path: Path) -> None:
    # given an article whose 13th line has a doubled word
    text = GOOD.replace("Le locataire paie", "Le locataire paie paie")

    # when it is checked
    messages = _messages(tmp_path, "commun/exemple.md", text)

    # then the report points at that line
    assert messages == ["13:doubled word: 'paie paie'"]


def test_french_reflexive_doubles_and_existing_links_are_accepted(tmp_path: Path) -> None:
    # given a sentence with « vous vous » and a link to an existing sibling article
    _write(tmp_path, "commun/autre.md", GOOD)
    text = GOOD.replace(
        "Une introduction courte.",
        "Si vous vous installez, voir [l'autre article](autre.md#qui-paie-la-reparation).",
    )

    # when it is checked
    messages = _messages(tmp_path, "commun/exemple.md", text)

    # then nothing is reported
    assert messages == []


def test_landlord_files_need_a_known_access_matching_their_folder(tmp_path: Path) -> None:
    # given landlord files without access, with an unknown one, and in the wrong folder
    body = '---\ntitle: "Horaires"\n{access}---\n\n# Horaires\n\nOuvert le lundi.\n'
    missing = _messages(tmp_path, "exemple.fr/public/a.md", body.format(access=""))
    unknown = _messages(tmp_path, "exemple.fr/public/b.md", body.format(access="access: all\n"))
    misplaced = _messages(tmp_path, "exemple.fr/staff/c.md", body.format(access="access: public\n"))
    fine = _messages(tmp_path, "exemple.fr/staff/d.md", body.format(access="access: staff\n"))

    # when / then each bad one is reported and the good one passes
    assert any("'access'" in m for m in missing)
    assert any("'all'" in m for m in unknown)
    assert any("staff/ folder" in m for m in misplaced)
    assert fine == []


def test_files_outside_commun_and_landlord_folders_are_refused(tmp_path: Path) -> None:
    # given an article in a folder that is neither commun/ nor a domain
    # when it is checked
    messages = _messages(tmp_path, "divers/a.md", GOOD)

    # then it is reported
    assert any("landlord folder" in m for m in messages)


def test_landlord_yaml_defects_are_caught(tmp_path: Path) -> None:
    # given landlord.yaml files: broken YAML, wrong id, no default context, and a good one
    def landlord(folder: str, text: str) -> list[Problem]:
        return check_landlord_yaml(_write(tmp_path, f"{folder}/landlord.yaml", text))

    # when they are checked
    broken = landlord("a.fr", "id: a.fr\ncontexts: [\n")
    wrong_id = landlord("b.fr", "id: autre.fr\ncontexts:\n  default: {access: [community]}\n")
    no_default = landlord("c.fr", "id: c.fr\ncontexts:\n  staff: {access: [staff]}\n")
    good = landlord("d.fr", "id: d.fr\ncontexts:\n  default: {access: [community, public]}\n")

    # then each defect is reported
    assert any("not valid YAML" in p.message for p in broken)
    assert any("folder name" in p.message for p in wrong_id)
    assert any("contexts.default" in p.message for p in no_default)
    assert good == []
