"""A knowledge file's front matter names its landlord with ``landlord``; files written before
the rename still use the old key, and it still counts (issue #14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pierre_rag.knowledge.errors import BuildError
from pierre_rag.knowledge.models import OLD_LANDLORD_KEY
from pierre_rag.knowledge.sources import load_document


@pytest.mark.parametrize("key", ["landlord", OLD_LANDLORD_KEY])
def test_the_front_matter_sets_the_landlord_under_either_key(tmp_path: Path, key: str) -> None:
    path = tmp_path / "commun" / "guide.md"
    path.parent.mkdir()
    path.write_text(f"---\n{key}: pierre-habitat.fr\n---\n# Guide\n", encoding="utf-8")

    doc = load_document(path, tmp_path)

    assert doc.scope == "public@pierre-habitat.fr"


def test_the_old_key_is_checked_against_the_folder_like_the_new(tmp_path: Path) -> None:
    path = tmp_path / "a-bailleur.fr" / "guide.md"
    path.parent.mkdir()
    path.write_text(f"---\n{OLD_LANDLORD_KEY}: b-bailleur.fr\n---\n# Guide\n", encoding="utf-8")

    with pytest.raises(BuildError, match="differs from its folder"):
        load_document(path, tmp_path)
