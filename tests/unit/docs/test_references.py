"""What the code and the docs cite exists in the repository; the decision records are complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

SKIPPED_DIRS = {".git", ".venv", ".venv-sam", ".aws-sam", "build", "node_modules", ".local"}
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".html", ".js", ".txt", ".cfg"}
# a file named in capitals, as project notes are named (CHANGELOG.md, README.md…)
CITED_FILE = re.compile(r"\b([A-Z][A-Z_]{2,}\.md)\b")
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
ADR_DIR = REPO_ROOT / "docs" / "adr"
ADRS = sorted(ADR_DIR.glob("[0-9][0-9][0-9][0-9]-*.md"))


def _project_files() -> list[Path]:
    files = []
    for path in REPO_ROOT.rglob("*"):
        parts = set(path.relative_to(REPO_ROOT).parts)
        if parts & SKIPPED_DIRS or any(part.endswith(".egg-info") for part in parts):
            continue
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name == "Makefile"):
            files.append(path)
    return files


def test_every_capitalised_file_the_project_cites_is_in_the_repository():
    # Given every file name in capitals cited by code, tests, docs and configuration
    present = {path.name for path in REPO_ROOT.rglob("*.md") if not set(path.parts) & SKIPPED_DIRS}
    cited = {
        (path.relative_to(REPO_ROOT).as_posix(), name)
        for path in _project_files()
        for name in CITED_FILE.findall(path.read_text(encoding="utf-8", errors="replace"))
    }

    # When the cited names are looked up among the repository's files
    missing = sorted((where, name) for where, name in cited if name not in present)

    # Then none points outside the repository (design notes that only some people have)
    assert missing == []


@pytest.mark.parametrize(
    "document",
    [REPO_ROOT / "README.md", REPO_ROOT / "CONTRIBUTING.md", ADR_DIR / "README.md", *ADRS],
    ids=lambda path: path.relative_to(REPO_ROOT).as_posix(),
)
def test_relative_links_of_the_guides_and_decisions_resolve(document):
    links = MARKDOWN_LINK.findall(document.read_text(encoding="utf-8"))
    relative = [link for link in links if "://" not in link and not link.startswith("mailto:")]

    broken = [link for link in relative if not (document.parent / link).exists()]

    assert broken == []


@pytest.mark.parametrize("record", ADRS, ids=lambda path: path.name)
def test_each_decision_record_has_status_date_context_decision_and_consequences(record):
    text = record.read_text(encoding="utf-8")
    number = record.name[:4]

    assert text.startswith(f"# {number}. ")
    assert re.search(r"^- Status: \S", text, re.MULTILINE)
    assert re.search(r"^- Date: \d{4}-\d{2}-\d{2}", text, re.MULTILINE)
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert headings == ["Context", "Decision", "Consequences"]
    assert f"]({record.name})" in (ADR_DIR / "README.md").read_text(encoding="utf-8")


def test_decision_records_are_numbered_without_gaps():
    assert [int(record.name[:4]) for record in ADRS] == list(range(1, len(ADRS) + 1))
