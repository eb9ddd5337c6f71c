"""The S3 stores of publishing, in the knowledge bucket (private, versioned).

Keys: ``sources/<landlord>/<path>`` (a landlord's Markdown, every version kept),
``datastores/<landlord>/<version>.sqlite`` (built, immutable) and
``embedding-cache/<landlord>.sqlite``. Every put asks for SSE-S3 (AES256) although the bucket
encrypts by default, so a bucket configured elsewhere still gets encrypted objects.

Who wrote a version is its ``actor`` metadata (``x-amz-meta-actor``), percent-encoded since S3
metadata is ASCII. A delete marker carries no metadata: who deleted a file is in the change
history (``PublishingRepository.changes``), not here.

S3 gives times to the second and lists a key's versions and its delete markers apart, so a
file's history is ordered by time, the latest first, and within one second a delete marker
before a version (two deletes need a version between them).
"""

from __future__ import annotations

import builtins
import logging
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, unquote

from botocore.exceptions import ClientError

from pierre_rag.landlords import LANDLORD_ID
from pierre_rag.publishing.models import SOURCE_PATH, SourceFile, checked_source_path
from pierre_rag.publishing.ports import SourceNotFoundError

if TYPE_CHECKING:
    from types_boto3_s3.client import S3Client

logger = logging.getLogger(__name__)

SOURCES = "sources/"
DATASTORE_KEY = re.compile(r"^datastores/[a-z0-9.-]+/[0-9a-f]{16}\.sqlite$")
ENCRYPTION: Literal["AES256"] = "AES256"
# What S3 answers for an absent key or version: NoSuchKey/NoSuchVersion (GET), 404 (HEAD),
# MethodNotAllowed/405 (a delete marker asked by version), InvalidArgument (a malformed id).
_ABSENT = frozenset(
    {"404", "NoSuchKey", "NoSuchVersion", "NotFound", "405", "MethodNotAllowed", "InvalidArgument"}
)
_PARALLEL_REQUESTS = 8  # a landlord's files are HEAD/GET one request each


def _absent(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code", "")) in _ABSENT


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _landlord_prefix(landlord: str) -> str:
    """``sources/<landlord>/``; a landlord id that is not a domain name (``..``, ``/``) could
    name another landlord's keys and is refused."""
    if not LANDLORD_ID.match(landlord):
        raise ValueError(f"not a landlord id: {landlord!r}")
    return f"{SOURCES}{landlord}/"


def _actor_metadata(actor: str) -> dict[str, str]:
    return {"actor": quote(actor, safe="@._+-")}


def _actor(metadata: Mapping[str, str]) -> str:
    return unquote(metadata.get("actor", ""))


class S3Sources:
    """:class:`~pierre_rag.publishing.ports.SourceStore` over the knowledge bucket; versions
    are S3's object versions (the bucket must have versioning enabled)."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def _key(self, landlord: str, path: str) -> str:
        return _landlord_prefix(landlord) + checked_source_path(path)

    def _paths(self, landlord: str) -> Iterator[str]:
        """The landlord's current source paths, sorted; other keys under its prefix are
        logged and left out."""
        prefix = _landlord_prefix(landlord)
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=prefix
        )
        for page in pages:
            for listed in page.get("Contents", []):
                path = listed["Key"][len(prefix) :]
                if SOURCE_PATH.match(path):
                    yield path
                else:
                    logger.warning("ignoring %s: not a source path", listed["Key"])

    def _entry(self, landlord: str, path: str, found: Mapping[str, Any]) -> SourceFile:
        """A ``SourceFile`` from a HeadObject or GetObject response."""
        return SourceFile(
            landlord=landlord,
            path=path,
            version_id=str(found.get("VersionId") or "null"),
            size=int(found["ContentLength"]),
            modified_ms=_ms(found["LastModified"]),
            modified_by=_actor(found.get("Metadata", {})),
        )

    def _head(self, landlord: str, path: str, version_id: str = "") -> SourceFile | None:
        options: dict[str, Any] = {"VersionId": version_id} if version_id else {}
        try:
            found = self._client.head_object(
                Bucket=self._bucket, Key=self._key(landlord, path), **options
            )
        except ClientError as error:
            if _absent(error):
                return None
            raise
        return self._entry(landlord, path, found)

    def list(self, landlord: str) -> builtins.list[SourceFile]:
        paths = builtins.list(self._paths(landlord))
        with ThreadPoolExecutor(max_workers=_PARALLEL_REQUESTS) as pool:
            found = pool.map(lambda path: self._head(landlord, path), paths)
            return [entry for entry in found if entry is not None]

    def read(self, landlord: str, path: str, version_id: str | None = None) -> bytes:
        options: dict[str, Any] = {"VersionId": version_id} if version_id else {}
        try:
            found = self._client.get_object(
                Bucket=self._bucket, Key=self._key(landlord, path), **options
            )
        except ClientError as error:
            if _absent(error):
                suffix = f"@{version_id}" if version_id else ""
                raise SourceNotFoundError(f"{landlord}/{path}{suffix}") from None
            raise
        return found["Body"].read()

    def write(self, landlord: str, path: str, body: bytes, actor: str) -> SourceFile:
        put = self._client.put_object(
            Bucket=self._bucket,
            Key=self._key(landlord, path),
            Body=bytes(body),
            ContentType="text/markdown; charset=utf-8",
            Metadata=_actor_metadata(actor),
            ServerSideEncryption=ENCRYPTION,
        )
        written = self._head(landlord, path, str(put.get("VersionId") or ""))
        if written is None:  # deleted by someone else between the two requests
            raise SourceNotFoundError(f"{landlord}/{path}")
        return written

    def delete(self, landlord: str, path: str, actor: str) -> SourceFile | None:
        """A delete marker; ``actor`` is not stored (a marker has no metadata): the caller
        records who deleted in the change history."""
        current = self._head(landlord, path)
        if current is None:
            return None
        self._client.delete_object(Bucket=self._bucket, Key=self._key(landlord, path))
        return current

    def history(self, landlord: str, path: str) -> builtins.list[SourceFile]:
        key = self._key(landlord, path)
        versions: builtins.list[Mapping[str, Any]] = []
        markers: builtins.list[Mapping[str, Any]] = []
        pages = self._client.get_paginator("list_object_versions").paginate(
            Bucket=self._bucket, Prefix=key
        )
        for page in pages:
            versions += [v for v in page.get("Versions", []) if v["Key"] == key]
            markers += [m for m in page.get("DeleteMarkers", []) if m["Key"] == key]
        with ThreadPoolExecutor(max_workers=_PARALLEL_REQUESTS) as pool:
            heads = pool.map(lambda v: self._head(landlord, path, str(v["VersionId"])), versions)
            written = builtins.list(zip(versions, heads, strict=True))
        every = [(listed, entry) for listed, entry in written if entry is not None] + [
            (marker, self._marker(landlord, path, marker)) for marker in markers
        ]
        every.sort(  # stable: S3 lists each kind newest first
            key=lambda item: (
                not item[0].get("IsLatest", False),
                -item[1].modified_ms,
                not item[1].deleted,
            )
        )
        return [entry for _, entry in every]

    @staticmethod
    def _marker(landlord: str, path: str, marker: Mapping[str, Any]) -> SourceFile:
        return SourceFile(
            landlord=landlord,
            path=path,
            version_id=str(marker["VersionId"]),
            size=0,
            modified_ms=_ms(marker["LastModified"]),
            deleted=True,
        )

    def _fetch(self, landlord: str, path: str, folder: Path) -> SourceFile | None:
        try:
            found = self._client.get_object(Bucket=self._bucket, Key=self._key(landlord, path))
        except ClientError as error:
            if _absent(error):  # deleted since it was listed
                return None
            raise
        target = folder / landlord / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(found["Body"].read())
        return self._entry(landlord, path, found)

    def snapshot(self, landlord: str, folder: Path) -> builtins.list[SourceFile]:
        paths = builtins.list(self._paths(landlord))
        with ThreadPoolExecutor(max_workers=_PARALLEL_REQUESTS) as pool:
            found = pool.map(lambda path: self._fetch(landlord, path, folder), paths)
            return [entry for entry in found if entry is not None]


def cache_key(landlord: str) -> str:
    """The landlord's embedding cache (``knowledge.cache.EmbeddingCache``'s SQLite file)."""
    if not LANDLORD_ID.match(landlord):
        raise ValueError(f"not a landlord id: {landlord!r}")
    return f"embedding-cache/{landlord}.sqlite"


def _datastore(key: str) -> str:
    if not DATASTORE_KEY.match(key):
        raise ValueError(f"not a datastore key (datastores/<landlord>/<version>.sqlite): {key!r}")
    return key


class S3Artifacts:
    """:class:`~pierre_rag.publishing.ports.ArtifactStore` over the knowledge bucket.
    Downloads land in a temporary file beside the target, renamed into place when complete:
    a reader never opens half a datastore."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def has_datastore(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self._bucket, Key=_datastore(key))
        except ClientError as error:
            if _absent(error):
                return False
            raise
        return True

    def _upload(self, key: str, file: Path) -> None:
        self._client.upload_file(
            str(file),
            self._bucket,
            key,
            ExtraArgs={
                "ServerSideEncryption": ENCRYPTION,
                "ContentType": "application/vnd.sqlite3",
            },
        )

    def _download(self, key: str, file: Path) -> bool:
        """``key`` into ``file`` atomically; False when there is no such object."""
        file.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".part")
        os.close(handle)
        partial = Path(name)
        try:
            self._client.download_file(self._bucket, key, str(partial))
            partial.replace(file)
        except ClientError as error:
            if _absent(error):
                return False
            raise
        finally:
            partial.unlink(missing_ok=True)
        return True

    def upload_datastore(self, key: str, file: Path) -> None:
        self._upload(_datastore(key), file)

    def download_datastore(self, key: str, file: Path) -> None:
        if not self._download(_datastore(key), file):
            raise SourceNotFoundError(key)

    def delete_datastore(self, key: str) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=_datastore(key))

    def download_cache(self, landlord: str, file: Path) -> bool:
        return self._download(cache_key(landlord), file)

    def upload_cache(self, landlord: str, file: Path) -> None:
        self._upload(cache_key(landlord), file)


__all__ = ["S3Artifacts", "S3Sources", "cache_key"]
