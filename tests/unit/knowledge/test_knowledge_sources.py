from __future__ import annotations

from pathlib import Path

import pytest

from pierre_rag.knowledge.errors import BuildError
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.knowledge.sources import discover, load_document, visible_scopes


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_community_file_by_default(tmp_path: Path) -> None:
    path = _write(tmp_path, "commun/guide.md", "# Guide\n\nTexte.\n")
    doc = load_document(path, tmp_path)
    assert (doc.access, doc.landlord, doc.scope) == (AccessLevel.COMMUNITY, None, "community")


def test_landlord_folder_sets_landlord_and_defaults_to_public(tmp_path: Path) -> None:
    # given a file under a folder named like a domain, without front matter
    path = _write(tmp_path, "pierre-habitat.fr/agences.md", "# Agences\n")
    # when loaded
    doc = load_document(path, tmp_path)
    # then it belongs to that landlord, publicly
    assert (doc.access, doc.landlord) == (AccessLevel.PUBLIC, "pierre-habitat.fr")
    assert doc.scope == "public@pierre-habitat.fr"


def test_staff_folder_and_front_matter_set_staff(tmp_path: Path) -> None:
    by_folder = _write(tmp_path, "pierre-habitat.fr/staff/a.md", "# A\n")
    by_meta = _write(tmp_path, "pierre-habitat.fr/b.md", "---\naccess: staff\n---\n# B\n")
    assert load_document(by_folder, tmp_path).access is AccessLevel.STAFF
    assert load_document(by_meta, tmp_path).access is AccessLevel.STAFF


def test_front_matter_is_removed_from_the_body(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.md", "---\ntitle: A\naccess: community\n---\n# Corps\n")
    assert load_document(path, tmp_path).body == "# Corps\n"


@pytest.mark.parametrize(
    ("rel", "text", "message"),
    [
        ("commun/bad.md", "---\naccess: secret\n---\n# X\n", "access"),
        ("commun/bad.md", "---\nlandlord: Not A Domain\n---\n# X\n", "landlord"),
        ("commun/bad.md", "---\naccess: [unclosed\n---\n# X\n", "not valid YAML"),
        ("commun/bad.md", "---\n- a\n- b\n---\n# X\n", "mapping"),
        ("commun/bad.md", "---\naccess: public\n# never closed\n", "not closed"),
        ("commun/bad.md", "---\naccess: staff\n---\n# X\n", "needs a landlord"),
        ("a-bailleur.fr/bad.md", "---\nlandlord: b-bailleur.fr\n---\n", "differs"),
        ("a-bailleur.fr/staff/bad.md", "---\naccess: public\n---\n", "contradicts"),
    ],
)
def test_bad_front_matter_is_a_build_error_naming_the_file(
    tmp_path: Path, rel: str, text: str, message: str
) -> None:
    # given a file with an invalid front matter
    path = _write(tmp_path, rel, text)
    # when loaded, then the error names the file and the problem
    with pytest.raises(BuildError, match=message) as error:
        load_document(path, tmp_path)
    assert rel in str(error.value)


def test_discover_refuses_missing_dir_and_empty_folders(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="not a directory"):
        discover([tmp_path / "missing"])
    with pytest.raises(BuildError, match=r"no markdown"):
        discover([tmp_path])


def test_discover_refuses_the_same_file_in_two_sources(tmp_path: Path) -> None:
    _write(tmp_path / "one", "guide.md", "# A\n")
    _write(tmp_path / "two", "guide.md", "# B\n")
    with pytest.raises(BuildError, match=r"guide\.md"):
        discover([tmp_path / "one", tmp_path / "two"])


@pytest.mark.parametrize(
    ("landlord", "access", "expected"),
    [
        (None, ["community", "public", "staff"], ["community"]),
        ("a.fr", ["community", "public"], ["community", "public@a.fr"]),
        ("a.fr", ["public"], ["public@a.fr"]),
        ("a.fr", ["community", "public", "staff"], ["community", "public@a.fr", "staff@a.fr"]),
        ("a.fr", [], []),
    ],
)
def test_visible_scopes(landlord: str | None, access: list[str], expected: list[str]) -> None:
    assert visible_scopes(landlord, access) == expected
