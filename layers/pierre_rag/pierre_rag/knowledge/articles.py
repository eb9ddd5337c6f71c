"""The articles a tenant may open from a source: which files, at which address, in which shape.

A source links to ``/api/landlords/{landlord}/articles/{file}#{anchor}``, served by the chat
function from the datastore (never from the file system). Only what an anonymous chat reads —
the community's files and the landlord's public ones — is an article: a staff file has no
link, and its address answers as an unknown one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote

from pierre_rag.knowledge.models import AccessLevel

if TYPE_CHECKING:
    from pierre_rag.knowledge.browse import FileEntry, Section

TENANT_ACCESS: tuple[AccessLevel, ...] = (AccessLevel.COMMUNITY, AccessLevel.PUBLIC)
MAX_PATH_CHARS = 300
# Folders and a Markdown file name, as the knowledge build records them: letters, digits,
# dots, dashes and underscores; no empty segment, none starting with a dot (so no "..").
_SEGMENT = r"[\w-][\w.-]*"
_ARTICLE_PATH = re.compile(rf"^(?:{_SEGMENT}/)*{_SEGMENT}\.md$")


class ArticleShelf(Protocol):
    """Where articles are read (``knowledge.browse.KnowledgeBrowser``)."""

    def file(
        self, landlord: str, access: Sequence[AccessLevel | str], path: str
    ) -> FileEntry | None: ...


def is_article_path(path: str) -> bool:
    """Whether ``path`` may name an article: anything else (``..``, a backslash, an encoded
    character, another extension) is refused before the datastore is asked."""
    return len(path) <= MAX_PATH_CHARS and bool(_ARTICLE_PATH.fullmatch(path))


def readable_by_tenants(access: AccessLevel) -> bool:
    return access in TENANT_ACCESS


def anchor(heading: str) -> str:
    """A section's fragment id: its heading without accents, lower case, words joined by -."""
    folded = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def article_url(landlord: str, file: str, heading: str | None = None) -> str:
    """The article's address on the chat's origin, at ``heading``'s section when given."""
    url = f"/api/landlords/{quote(landlord, safe='')}/articles/{quote(file)}"
    fragment = anchor(heading) if heading else ""
    return f"{url}#{fragment}" if fragment else url


@dataclass(frozen=True)
class ArticleSection:
    heading: str  # "" for the introduction (text before the first heading under the title)
    anchor: str  # "" when the heading has none, or an earlier section took it
    text: str  # Markdown, rendered by the chat page's safe renderer


@dataclass(frozen=True)
class Article:
    file: str
    title: str
    sections: list[ArticleSection] = field(default_factory=list)


def article_of(entry: FileEntry) -> Article:
    """The file's chunks as sections: consecutive chunks of one heading path joined, the
    title (the H1 the page already shows) not repeated, a section left empty dropped."""
    sections: list[ArticleSection] = []
    taken: set[str] = set()
    last_path: list[str] | None = None
    for chunk in _without_title(entry):
        if chunk.heading_path == last_path and sections:
            previous = sections[-1]
            sections[-1] = ArticleSection(
                previous.heading, previous.anchor, f"{previous.text}\n\n{chunk.text}"
            )
            continue
        last_path = chunk.heading_path
        path = chunk.heading_path
        heading = path[-1] if path and not (len(path) == 1 and path[0] == entry.title) else ""
        slug = anchor(heading) if heading else ""
        if slug in taken:
            slug = ""
        taken.add(slug)
        sections.append(ArticleSection(heading, slug, chunk.text))
    return Article(entry.file, entry.title, sections)


def _without_title(entry: FileEntry) -> list[Section]:
    title = re.compile(rf"^#\s+{re.escape(entry.title)}\s*$", re.MULTILINE)
    chunks = [
        replace(chunk, text=title.sub("", chunk.text, count=1).strip()) for chunk in entry.sections
    ]
    return [chunk for chunk in chunks if chunk.text]
