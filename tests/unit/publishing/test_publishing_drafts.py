"""A source draft: its path from a file name, the checks before it is stored, its chunks."""

from __future__ import annotations

import pytest

from pierre_rag.knowledge.chunking import chunk_markdown
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.knowledge.uploads import UploadRefused
from pierre_rag.publishing.drafts import (
    MAX_MARKDOWN_CHARS,
    checked_source,
    is_source_path,
    preview_chunks,
    slug,
    source_path,
)
from pierre_rag.publishing.models import SOURCE_PATH

LANDLORD = "pierre-habitat.fr"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Horaires d'été (agences).docx", "horaires-d-ete-agences"),
        ("GARDIENS_Résidence Les Pins.xlsx", "gardiens-residence-les-pins"),
        ("C:\\Users\\marie\\Procédure impayés.md", "procedure-impayes"),
        ("../../autre-bailleur.fr/public/x.md", "x"),
        ("Œuvre ça.md", "uvre-ca"),
        ("!!!.md", ""),
    ],
)
def test_a_file_name_becomes_a_lowercase_ascii_slug(name, expected):
    assert slug(name) == expected


def test_a_long_name_is_cut_to_a_valid_source_path():
    path = source_path(AccessLevel.STAFF, "a-" * 100 + ".md")

    assert SOURCE_PATH.match(path) and not path.endswith("-.md")


@pytest.mark.parametrize("access", [AccessLevel.COMMUNITY])
def test_only_a_landlords_access_levels_are_authored(access):
    with pytest.raises(UploadRefused, match="accès"):
        source_path(access, "page.md")


@pytest.mark.parametrize(
    "path",
    ["../public/x.md", "pierre-habitat.fr/public/x.md", "public/x.md/../y.md", "public/X.md", ""],
)
def test_paths_outside_the_landlords_folders_are_not_source_paths(path):
    assert not is_source_path(path)


def test_a_checked_source_gets_a_title_front_matter():
    text = checked_source("public/horaires.md", "# Horaires\n\nDe 9 h à 17 h.\n", LANDLORD)

    assert text.startswith("---\ntitle: Horaires\n---\n")


def test_crlf_line_ends_from_a_browser_form_are_normalised():
    text = checked_source("public/h.md", "# H\r\n\r\nDe 9 h à 17 h.\r\n", LANDLORD)

    assert "\r" not in text


@pytest.mark.parametrize(
    ("markdown", "reason"),
    [
        ("---\nlandlord: autre-bailleur.fr\n---\n# T\n\nTexte.\n", "autre bailleur"),
        ("---\naccess: staff\n---\n# T\n\nTexte.\n", "dossier"),
        ("---\ntitle: T\n", "front matter"),
        ("# Seul\n", "vide"),
        ("# T\n\n" + "a" * MAX_MARKDOWN_CHARS, "trop long"),
    ],
)
def test_a_source_the_build_would_refuse_is_refused_before_it_is_stored(markdown, reason):
    with pytest.raises(UploadRefused, match=reason):
        checked_source("public/page.md", markdown, LANDLORD)


def test_the_preview_has_the_chunks_of_the_build_with_their_heading_paths():
    section = "Une phrase sur les horaires de l'agence, assez longue pour compter. " * 10
    markdown = f"---\ntitle: T\n---\n# T\n\n## Nord\n\n{section}\n\n## Sud\n\n{section}\n"

    preview = preview_chunks(markdown, words=5)

    drafts = chunk_markdown(markdown.split("---\n", 2)[2])
    assert [c.heading_path for c in preview] == [d.heading_path for d in drafts]
    sections = [c for c in preview if c.heading_path]
    assert [c.heading_path for c in sections] == [("T", "Nord"), ("T", "Sud")]
    assert all(c.opening == "Une phrase sur les horaires …" for c in sections)
