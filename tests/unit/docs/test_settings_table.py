"""The README's environment table names exactly the variables the settings read."""

from __future__ import annotations

import re

from pierre_rag.settings import LIBRARY_VARIABLES, environment_variables
from tests.helpers import REPO_ROOT

README = REPO_ROOT / "README.md"
VARIABLE = re.compile(r"`([A-Z][A-Z0-9_]+)(?:=[^`]*)?`")


def readme_environment_table() -> set[str]:
    """The variables in the first column of the table after the README's **Environment**."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("**Environment**") :]
    table = section[section.index("\n|") :]
    rows = []
    for line in table.splitlines()[1:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    first_column = [row.split("|")[1] for row in rows[2:]]  # after the header and its rule
    return {name for cell in first_column for name in VARIABLE.findall(cell)}


def test_every_variable_the_settings_read_is_in_the_readme_table_and_vice_versa():
    # Given the README's table and the variables the settings module reads
    documented = readme_environment_table()
    read = environment_variables() | set(LIBRARY_VARIABLES)

    # Then neither has one the other lacks
    assert read - documented == set(), "read by pierre_rag.settings, missing from the README"
    assert documented - read == set(), "in the README, read by no setting"


def test_the_table_parser_sees_abbreviations_as_no_variable():
    assert VARIABLE.findall("`PIERRE_LLM=off`, `…_BASE_URL`, SSM `llm-api-key`") == ["PIERRE_LLM"]
