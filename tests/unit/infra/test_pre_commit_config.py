"""The pre-commit hooks run the project's own ruff and mypy, exactly as `make` does."""

from __future__ import annotations

import re

import yaml

from tests.helpers import REPO_ROOT

HOOKS = {
    hook["id"]: hook
    for repo in yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text())["repos"]
    for hook in repo["hooks"]
    if repo["repo"] == "local"
}
MAKEFILE = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")


def _make_recipe(target: str) -> str:
    match = re.search(rf"^{target}:.*\n\t(.+)$", MAKEFILE, re.MULTILINE)
    assert match is not None, target
    return match.group(1).replace("$(BIN)/", ".venv/bin/")


def test_ruff_and_mypy_are_local_hooks_run_from_the_project_venv():
    # Given the hook configuration
    # When its hooks are read
    # Then both tools are there, run from .venv, with nothing to download
    assert set(HOOKS) >= {"ruff", "mypy"}
    for hook in HOOKS.values():
        assert hook["language"] == "system"
        assert hook["entry"].startswith(".venv/bin/")


def test_the_hooks_check_what_make_lint_and_typecheck_check():
    assert HOOKS["ruff"]["entry"] == _make_recipe("lint").removesuffix(" .")
    assert HOOKS["mypy"]["entry"] == _make_recipe("typecheck")
    # mypy checks the whole project at once (strict mode needs every module), not one file
    assert HOOKS["mypy"]["pass_filenames"] is False
