"""A landlord source before it is published: its path from a file name, its checks, and the
chunks it will give.

The admin is stateless: the Markdown shown on the preview page comes back in the publish form,
so :func:`checked_source` runs again on what is published, never trusting the preview.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from pierre_rag.knowledge.chunking import ChunkingConfig, chunk_markdown
from pierre_rag.knowledge.errors import BuildError
from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.knowledge.sources import split_front_matter
from pierre_rag.knowledge.uploads import UploadRefused, convert
from pierre_rag.publishing.models import SOURCE_PATH, source_access

MAX_MARKDOWN_CHARS = 200_000  # a converted 5 MB upload stays well below; a form cannot carry more
SLUG_CHARS = 80
AUTHORED_ACCESS = (AccessLevel.PUBLIC, AccessLevel.STAFF)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(name: str) -> str:
    """``Horaires d'été (agences).docx`` → ``horaires-d-ete-agences``; "" when nothing is left."""
    stem = PurePath(name.replace("\\", "/")).stem
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    return _NOT_SLUG.sub("-", folded).strip("-")[:SLUG_CHARS].rstrip("-")


def source_path(access: AccessLevel, name: str) -> str:
    """The source path a file name gets in ``access``'s folder; :class:`UploadRefused` when the
    name gives no slug or the access level is not a landlord's."""
    if access not in AUTHORED_ACCESS:
        raise UploadRefused("niveau d'accès inconnu : public ou interne")
    found = slug(name)
    if not found:
        raise UploadRefused("nom de fichier sans lettre ni chiffre : renommez le fichier")
    return f"{access.value}/{found}.md"


def is_source_path(path: str) -> bool:
    """A landlord-relative source path (never ``../``, never another landlord's folder)."""
    return bool(SOURCE_PATH.match(path))


def checked_source(path: str, markdown: str, landlord: str) -> str:
    """The Markdown to store at ``path``: the checks of a ``.md`` upload (UTF-8, front matter,
    text), a size bound, and a front matter that agrees with the landlord and the folder (the
    build refuses a file that does not). :class:`UploadRefused` with a French reason."""
    if not is_source_path(path):
        raise UploadRefused("chemin de fichier invalide")
    if len(markdown) > MAX_MARKDOWN_CHARS:
        raise UploadRefused(
            f"texte trop long : {len(markdown)} caractères pour {MAX_MARKDOWN_CHARS} au plus"
        )
    text = convert(PurePath(path).name, markdown.replace("\r\n", "\n").encode()).markdown
    try:
        meta, _ = split_front_matter(text, path)
    except BuildError as exc:  # convert checked it already; kept for a direct caller
        raise UploadRefused(f"en-tête (front matter) invalide : {exc}") from exc
    if meta.landlord is not None and meta.landlord != landlord:
        raise UploadRefused(f"l'en-tête nomme un autre bailleur ({meta.landlord})")
    if meta.access is not None and meta.access is not source_access(path):
        raise UploadRefused(
            f"l'en-tête donne l'accès « {meta.access.value} », le dossier « {source_access(path)} »"
        )
    return text


@dataclass(frozen=True)
class PreviewChunk:
    heading_path: tuple[str, ...]
    opening: str  # the first words of its text
    chars: int


def preview_chunks(markdown: str, words: int = 25) -> list[PreviewChunk]:
    """The chunks the build will make of ``markdown`` (same chunking, same configuration)."""
    _, body = split_front_matter(markdown, "preview")
    drafts = chunk_markdown(body, ChunkingConfig())
    return [
        PreviewChunk(
            heading_path=draft.heading_path,
            opening=_opening(draft.text, words),
            chars=len(draft.text),
        )
        for draft in drafts
    ]


def _opening(text: str, words: int) -> str:
    split = text.split()
    return " ".join(split[:words]) + (" …" if len(split) > words else "")
