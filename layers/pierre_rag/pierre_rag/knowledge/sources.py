"""Knowledge folders → documents with their access level and landlord (from front matter)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from pierre_rag import yaml_text
from pierre_rag.knowledge.errors import BuildError
from pierre_rag.knowledge.models import AccessLevel, FrontMatter, looks_like_landlord
from pierre_rag.validation import describe


@dataclass(frozen=True)
class Document:
    file: str  # path relative to its source folder, with "/" separators
    title: str
    body: str
    access: AccessLevel
    landlord: str | None

    @property
    def scope(self) -> str:
        return scope_of(self.access, self.landlord)


def scope_of(access: AccessLevel, landlord: str | None) -> str:
    """The partition a chunk lives in: ``community`` is shared, the rest is per landlord."""
    if access is AccessLevel.COMMUNITY or landlord is None:
        return AccessLevel.COMMUNITY.value
    return f"{access.value}@{landlord}"


def visible_scopes(landlord: str | None, access: Sequence[AccessLevel | str]) -> list[str]:
    """Scopes a caller may read: community for all; public/staff only for its own landlord."""
    levels = {AccessLevel(a) for a in access}
    scopes = [AccessLevel.COMMUNITY.value] if AccessLevel.COMMUNITY in levels else []
    if landlord is not None:
        scopes += [
            f"{lvl.value}@{landlord}"
            for lvl in AccessLevel
            if lvl in levels - {AccessLevel.COMMUNITY}
        ]
    return scopes


def split_front_matter(text: str, file: str) -> tuple[FrontMatter, str]:
    """Parse a leading ``---`` YAML block; a bad block is a :class:`BuildError` naming the file."""
    if not text.startswith("---"):
        return FrontMatter(), text
    lines = text.splitlines(keepends=True)
    if lines[0].strip() != "---":
        return FrontMatter(), text
    end = next((i for i, line in enumerate(lines) if i and line.strip() in ("---", "...")), 0)
    if not end:
        raise BuildError(f"{file}: front matter is not closed by a '---' line")
    try:
        data = yaml_text.safe_load("".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        raise BuildError(f"{file}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise BuildError(f"{file}: front matter must be a mapping of keys to values")
    try:
        meta = FrontMatter.model_validate(data)
    except ValidationError as exc:
        raise BuildError(f"{file}: invalid front matter: {describe(exc)}") from exc
    return meta, "".join(lines[end + 1 :])


def load_document(path: Path, source: Path) -> Document:
    rel = path.relative_to(source).as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError(f"{rel}: not valid UTF-8 ({exc})") from exc
    meta, body = split_front_matter(text, rel)
    parts = rel.split("/")
    folder_landlord = parts[0] if len(parts) > 1 and looks_like_landlord(parts[0]) else None
    landlord = meta.landlord or folder_landlord
    if meta.landlord and folder_landlord and meta.landlord != folder_landlord:
        raise BuildError(f"{rel}: front matter landlord {meta.landlord!r} differs from its folder")
    # knowledge/<landlord>/staff/… and …/public/… set the access level by folder.
    folder_access = _access_folder(parts[1]) if folder_landlord and len(parts) > 2 else None
    if meta.access and folder_access and meta.access is not folder_access:
        raise BuildError(
            f"{rel}: front matter access {meta.access.value!r} contradicts its "
            f"{folder_access.value!r} folder"
        )
    default = AccessLevel.PUBLIC if landlord else AccessLevel.COMMUNITY
    access = meta.access or folder_access or default
    if access is not AccessLevel.COMMUNITY and landlord is None:
        raise BuildError(
            f"{rel}: access {access.value!r} needs a landlord (folder or front matter)"
        )
    return Document(
        file=rel,
        title=document_title(meta, body, path),
        body=body,
        access=access,
        landlord=landlord,
    )


def document_title(meta: FrontMatter, body: str, path: Path) -> str:
    """What users see as a source's title: front matter ``title``, else the H1, else the name."""
    title = (meta.model_extra or {}).get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def _access_folder(name: str) -> AccessLevel | None:
    try:
        return AccessLevel(name)
    except ValueError:
        return None


def discover(sources: Sequence[Path], *, community_only: bool = False) -> list[tuple[Path, Path]]:
    """``(source, file)`` pairs for every markdown file, sorted, duplicates refused;
    ``community_only`` leaves out the landlord folders (what the Lambda layer ships)."""
    found: list[tuple[Path, Path]] = []
    seen: dict[str, Path] = {}
    for source in sources:
        if not source.is_dir():
            raise BuildError(f"knowledge source is not a directory: {source}")
        for path in sorted(source.rglob("*.md")):
            parts = path.relative_to(source).parts
            if any(part.startswith(".") for part in parts):
                continue
            if path.name.lower() == "readme.md":
                continue  # documentation of the folder, not knowledge to answer from
            if community_only and len(parts) > 1 and looks_like_landlord(parts[0]):
                continue
            rel = path.relative_to(source).as_posix()
            if rel in seen:
                raise BuildError(f"{rel}: present in both {seen[rel]} and {source}")
            seen[rel] = source
            found.append((source, path))
    if not found:
        raise BuildError(f"no markdown (*.md) files under {', '.join(map(str, sources))}")
    return found


def source_hash(files: Sequence[tuple[Path, Path]], salt: str) -> str:
    """Hash of every file's relative path and bytes plus ``salt`` (model id, chunker version)."""
    digest = hashlib.sha256(salt.encode())
    for source, path in files:
        digest.update(path.relative_to(source).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()
