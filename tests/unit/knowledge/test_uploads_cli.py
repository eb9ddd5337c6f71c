"""``pierre knowledge convert``: a landlord checks a file before uploading it."""

from __future__ import annotations

import io
from pathlib import Path

from pierre_rag.cli import main
from tests.unit.knowledge.ooxml import docx, paragraph

LONG = "Nos agences vous reçoivent du lundi au vendredi, sur rendez-vous le samedi. " * 8


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _agences(tmp_path: Path) -> Path:
    path = tmp_path / "agences.docx"
    body = (
        paragraph("Nos agences", "Heading1")
        + paragraph("Deux agences vous accueillent.")
        + paragraph("Nord", "Heading2")
        + paragraph(LONG)
        + paragraph("Sud", "Heading2")
        + paragraph(LONG)
    )
    path.write_bytes(docx(body))
    return path


def test_convert_prints_the_markdown_and_counts_its_chunks(tmp_path: Path):
    # (the build's count: the introduction under the title, then one chunk per long section)
    code, out, err = _run("knowledge", "convert", str(_agences(tmp_path)))

    assert code == 0, err
    assert out.startswith(
        "---\ntitle: Nos agences\n---\n\n# Nos agences\n\n"
        "Deux agences vous accueillent.\n\n## Nord\n"
    )
    assert err == "3 chunks\n"


def test_convert_writes_the_markdown_in_the_out_folder(tmp_path: Path):
    code, out, _ = _run(
        "knowledge", "convert", str(_agences(tmp_path)), "--out", str(tmp_path / "md")
    )

    written = tmp_path / "md" / "agences.md"
    assert code == 0
    assert out == f"wrote {written}: 3 chunks\n"
    assert written.read_text(encoding="utf-8").startswith("---\ntitle: Nos agences\n")


def test_a_refused_file_exits_2_with_the_reason_and_writes_nothing(tmp_path: Path):
    path = tmp_path / "horaires.docm"
    path.write_bytes(docx(paragraph("Bonjour")))

    code, out, err = _run("knowledge", "convert", str(path), "--out", str(tmp_path / "md"))

    assert code == 2
    assert out == ""
    assert err.startswith("pierre: refusé : format avec macros refusé (.docm)")
    assert not (tmp_path / "md").exists()


def test_a_markdown_file_is_not_overwritten_by_its_own_conversion(tmp_path: Path):
    path = tmp_path / "page.md"
    path.write_text("# Page\n\nTexte.\n", encoding="utf-8")

    code, _, err = _run("knowledge", "convert", str(path), "--out", str(tmp_path))

    assert code == 1
    assert "would overwrite" in err
    assert path.read_text(encoding="utf-8") == "# Page\n\nTexte.\n"
