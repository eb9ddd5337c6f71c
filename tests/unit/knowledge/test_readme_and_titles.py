"""Folder READMEs are not knowledge; titles come from front matter or the H1."""

from __future__ import annotations

from pathlib import Path

from pierre_rag.knowledge.sources import discover, load_document


def test_readme_files_are_not_indexed(tmp_path: Path):
    (tmp_path / "README.md").write_text("# How to write articles\n")
    (tmp_path / "article.md").write_text("# Article\n\nText.\n")

    found = [path.name for _, path in discover([tmp_path])]

    assert found == ["article.md"]


def test_title_prefers_front_matter_then_h1_then_file_name(tmp_path: Path):
    (tmp_path / "a.md").write_text('---\ntitle: "Le préavis"\n---\n# Autre titre\n')
    (tmp_path / "b.md").write_text("# Les charges\n\nTexte.\n")
    (tmp_path / "c-d.md").write_text("Texte sans titre.\n")

    titles = [load_document(tmp_path / name, tmp_path).title for name in ("a.md", "b.md", "c-d.md")]

    assert titles == ["Le préavis", "Les charges", "c-d"]
