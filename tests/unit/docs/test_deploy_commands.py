"""The deploy instructions can be pasted: no pseudo-command such as `$(StaticBucketName output)`
in the README or docs/, and the README's deploy section runs `make deploy`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

# `$(SomeOutput output)`, `$(the bucket)`: shell substitutions that are prose, not commands
PSEUDO_COMMAND = re.compile(r"\$\((?:[A-Z][A-Za-z]* output|[a-z]+ [a-z ]+)\)")
DOCUMENTS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]


def test_the_pattern_finds_the_old_pseudo_commands():
    assert PSEUDO_COMMAND.search('aws s3 sync web/ "s3://$(StaticBucketName output)/"')
    assert PSEUDO_COMMAND.search("--distribution-id $(the distribution id)")
    assert not PSEUDO_COMMAND.search('"$(python3 -c "import secrets")"')
    assert not PSEUDO_COMMAND.search("$(BIN)/python")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_no_document_has_a_pseudo_command(document: Path):
    found = PSEUDO_COMMAND.findall(document.read_text(encoding="utf-8"))
    assert found == [], f"{document.relative_to(REPO_ROOT)}: {found}"


def test_the_readme_deploys_with_make_deploy():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Deploy\n", 1)[1].split("\n## ", 1)[0]
    assert "make deploy STACK=" in section
    assert "docs/deploy.md" in section
