"""`make test` reports branch coverage of every package we ship and of every function."""

from __future__ import annotations

import re
import tomllib

from pierre_local.template import read_stack
from tests.helpers import REPO_ROOT

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
COVERAGE_RUN = PYPROJECT["tool"]["coverage"]["run"]
SOURCES = [REPO_ROOT / source for source in COVERAGE_RUN["source"]]


def _measured(directory):
    return any(directory == source or source in directory.parents for source in SOURCES)


def test_coverage_measures_branches_of_existing_folders():
    assert COVERAGE_RUN["branch"] is True
    assert all(source.is_dir() for source in SOURCES)


def test_every_installed_package_and_every_function_folder_is_measured():
    # Given the packages pyproject installs and the function folders the template deploys
    packages = PYPROJECT["tool"]["setuptools"]["package-dir"].values()
    stack = read_stack(REPO_ROOT / "template.yaml")
    functions = {spec.code_dir for spec in stack.functions.values()}

    # When each is looked up among the coverage sources
    unmeasured = [p for p in [*(REPO_ROOT / p for p in packages), *functions] if not _measured(p)]

    # Then none is missing from the report
    assert unmeasured == []


def test_the_makefile_pytest_target_reports_coverage():
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")

    recipe = re.search(r"^pytest:.*\n\t(.+)$", makefile, re.MULTILINE)

    assert recipe is not None
    assert {"--cov", "--cov-report=term"} <= set(recipe.group(1).split())
