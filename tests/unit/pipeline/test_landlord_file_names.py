"""A landlord's file is ``landlord.yaml``; a folder still holding it under its old name is
served with a deprecation warning, and a folder with both names is an error (issue #14)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from pierre_rag.cli import main
from pierre_rag.landlord_check import ProblemKind, check_landlords
from pierre_rag.landlords import InvalidLandlordError, LandlordRegistry
from pierre_rag.paths import LANDLORD_FILE, OLD_LANDLORD_FILE

LANDLORD = "exemple-hlm.fr"
TEXT = f"id: {LANDLORD}\nname: Exemple HLM\ncontexts:\n  default: {{}}\n"


def _write(root: Path, name: str) -> Path:
    path = root / LANDLORD / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_a_file_under_the_new_name_is_served_without_warning(tmp_path):
    _write(tmp_path, LANDLORD_FILE)

    check = check_landlords(tmp_path)

    assert [landlord.id for landlord in check.landlords] == [LANDLORD]
    assert (check.problems, check.deprecations) == ([], [])


def test_a_file_under_the_old_name_is_served_and_logged_as_deprecated(tmp_path, caplog):
    # Given a folder whose file still has its old name
    old = _write(tmp_path, OLD_LANDLORD_FILE)

    # When the registry is loaded
    with caplog.at_level(logging.WARNING):
        registry = LandlordRegistry.from_directory(tmp_path)

    # Then the landlord is served, and one warning names the file and the new name
    assert registry.ids == [LANDLORD] and registry.problems == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(old) in warnings[0] and LANDLORD_FILE in warnings[0]


def test_a_folder_with_both_names_is_an_error_and_its_landlord_is_not_served(tmp_path):
    # Given a folder with its file under both names
    new = _write(tmp_path, LANDLORD_FILE)
    _write(tmp_path, OLD_LANDLORD_FILE)

    # When the registry is loaded
    registry = LandlordRegistry.from_directory(tmp_path)

    # Then the landlord is refused, with one problem that says which file to keep
    with pytest.raises(InvalidLandlordError):
        registry.get(LANDLORD)
    [problem] = registry.problems
    assert (problem.file, problem.kind) == (new, ProblemKind.BOTH_FILE_NAMES)
    assert f"keep {LANDLORD_FILE} only" in problem.message


def test_the_check_command_prints_the_deprecation_and_passes(tmp_path):
    old = _write(tmp_path, OLD_LANDLORD_FILE)
    out, err = io.StringIO(), io.StringIO()

    code = main(["landlords", "check", "--dir", str(tmp_path)], stdout=out, stderr=err)

    assert code == 0
    assert err.getvalue() == (
        f"pierre: warning: {old}: deprecated file name, rename it to {LANDLORD_FILE}\n"
    )
    assert LANDLORD in out.getvalue()


def test_the_check_command_fails_on_a_folder_with_both_names(tmp_path):
    _write(tmp_path, LANDLORD_FILE)
    _write(tmp_path, OLD_LANDLORD_FILE)
    out, err = io.StringIO(), io.StringIO()

    code = main(["landlords", "check", "--dir", str(tmp_path)], stdout=out, stderr=err)

    assert code == 1
    assert f"both {LANDLORD_FILE} and {OLD_LANDLORD_FILE}" in err.getvalue()
