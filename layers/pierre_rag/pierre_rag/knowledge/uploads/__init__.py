"""A landlord's uploaded file (.md, .docx, .xlsx, .pdf) → one knowledge Markdown file, or a
refusal.

Pure: bytes in, text out, no AWS. What must be refused (macros, bombs, DOCTYPE, encrypted,
corrupt or empty files) raises :class:`UploadRefused` with a French reason for the admin, and
nothing is produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from pierre_rag.knowledge.uploads.docx import docx_markdown
from pierre_rag.knowledge.uploads.limits import UploadLimits, UploadRefused
from pierre_rag.knowledge.uploads.markdown import (
    checked_markdown,
    first_h1,
    has_text,
    title_from_name,
    with_title,
)
from pierre_rag.knowledge.uploads.package import OoxmlPackage
from pierre_rag.knowledge.uploads.pdf import pdf_markdown
from pierre_rag.knowledge.uploads.xlsx import xlsx_markdown

__all__ = ["SUPPORTED", "Converted", "UploadLimits", "UploadRefused", "convert"]

SUPPORTED = (".md", ".docx", ".xlsx", ".pdf")
_MACRO_FORMATS = (".docm", ".xlsm", ".dotm", ".xltm", ".xlam", ".pptm")


@dataclass(frozen=True)
class Converted:
    markdown: str  # with its title front matter
    warnings: tuple[str, ...] = ()


def convert(
    name: str,
    data: bytes,
    *,
    limits: UploadLimits | None = None,
    rows_as_sections: bool = False,
) -> Converted:
    """The knowledge Markdown of ``name``'s bytes; ``rows_as_sections``: a section per xlsx row."""
    limits = limits or UploadLimits()
    suffix = PurePath(name).suffix.lower()
    if suffix in _MACRO_FORMATS:
        raise UploadRefused(f"format avec macros refusé ({suffix}) : enregistrez sans macros")
    if suffix not in SUPPORTED:
        shown = suffix or "sans extension"
        raise UploadRefused(
            f"format non pris en charge ({shown}) : envoyez un fichier {', '.join(SUPPORTED)}"
        )
    limits.check_size(len(data))
    if suffix == ".md":
        markdown, warnings = checked_markdown(name, data)
    elif suffix == ".pdf":
        markdown, warnings = _pdf(name, data, limits)
    else:
        package = OoxmlPackage(data, limits)
        if suffix == ".docx":
            body = docx_markdown(package)
        else:
            body = xlsx_markdown(package, rows_as_sections=rows_as_sections)
        markdown, warnings = with_title(first_h1(body) or title_from_name(name), body), []
        if sum(line.startswith("# ") for line in body.splitlines()) > 1:
            warnings.append("plusieurs titres de niveau 1 : le premier donne son titre à l'article")
    if not has_text(markdown):
        raise UploadRefused("fichier vide : aucun texte à publier")
    return Converted(markdown=markdown, warnings=tuple(warnings))


def _pdf(name: str, data: bytes, limits: UploadLimits) -> tuple[str, list[str]]:
    text = pdf_markdown(data, limits)
    warnings = ["texte extrait d'un PDF : relisez les paragraphes et les titres ci-dessous"]
    if not text.has_bookmarks:
        warnings.append("PDF sans signets : une seule section, ajoutez des titres (##) au besoin")
    return with_title(text.title or title_from_name(name), text.body), warnings
