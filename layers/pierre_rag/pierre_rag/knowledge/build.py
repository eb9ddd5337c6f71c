"""Knowledge folders → read-only ``datastore.sqlite`` (chunks, FTS5, vec0, names, meta)."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from pierre_rag.knowledge.acronyms import collect as collect_acronyms
from pierre_rag.knowledge.cache import EmbeddingCache, embed_cached
from pierre_rag.knowledge.chunking import ChunkingConfig, chunk_markdown
from pierre_rag.knowledge.datastore import Datastore
from pierre_rag.knowledge.embeddings import Embedder, Vectors
from pierre_rag.knowledge.errors import BuildError, EmbeddingModelMismatchError
from pierre_rag.knowledge.models import SCHEMA_VERSION, AccessLevel
from pierre_rag.knowledge.names import extract_names
from pierre_rag.knowledge.scope import ALL_TOPICS, topics_fingerprint
from pierre_rag.knowledge.sources import discover, load_document, source_hash
from pierre_rag.knowledge.sqlite import open_writable
from pierre_rag.knowledge.text import fold, index_terms, stem_all, tokens

CHUNKER_VERSION = "6"

ProgressFactory = Callable[[int, str], Callable[[int], None]]


@dataclass(frozen=True)
class ChunkRow:
    file: str
    title: str
    heading_path: tuple[str, ...]
    headings: tuple[str, ...]
    text: str
    access: AccessLevel
    landlord: str | None
    scope: str

    @property
    def embed_text(self) -> str:
        """What the encoder sees: the breadcrumb, then the text."""
        return " > ".join(self._crumbs()) + "\n" + self.text

    @property
    def chunk_hash(self) -> str:
        return _hash(self.embed_text)

    @property
    def is_list(self) -> bool:
        return bool(extract_names(self.text))

    def _crumbs(self) -> list[str]:
        crumbs = [self.title, *self.heading_path]
        if len(crumbs) > 1 and fold(crumbs[0]) == fold(crumbs[1]):
            crumbs = crumbs[1:]
        return crumbs


def _prose_vocabulary(rows: Sequence[ChunkRow]) -> list[tuple[str, str, int]]:
    """Document frequency of words and stems in prose chunks (long name lists excluded).

    Query analysis uses it to tell French words from noise: a commune list contains every
    short foreign word ("bu", "bir"…) as some village name.
    """
    documents = [
        set(tokens(" ".join([row.title, *row.headings, row.text])))
        for row in rows
        if not row.is_list
    ]
    words: Counter[str] = Counter(word for document in documents for word in document)
    stem_of = dict(zip(words, stem_all(list(words)), strict=True))
    stems: Counter[str] = Counter(
        stem for document in documents for stem in {stem_of[word] for word in document}
    )
    return [("word", w, n) for w, n in words.items()] + [("stem", s, n) for s, n in stems.items()]


def _fts_columns(row: ChunkRow) -> tuple[str, str]:
    """BM25's heading and body columns of a chunk.

    The (weighted) heading column holds the document title, the chunk's own heading and the
    headings folded into it: what this chunk answers. Intermediate ancestor headings, shared
    by every sibling section, go to the body, so that a question matching a parent heading
    does not lift all its sub-sections above the one that answers it (docs/retrieval.md).
    """
    ancestors = row.heading_path[:-1]
    own = [h for h in row.headings if h not in ancestors]
    return " ".join([row.title, *own]), "\n".join([*ancestors, row.text])


def title_field(row: ChunkRow) -> str:
    """A file's title field: the document title and the words of its file name.

    A query stem that titles a single file names it ("alur": the file on the Loi ALUR), and
    the search lifts that file above files that merely mention the name
    (``SearchConfig.title_prior_weight``).
    """
    name = PurePosixPath(row.file).stem
    return " ".join([row.title, *re.split(r"[\s_\-–]+", name)])


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class BuildReport:
    path: Path
    chunks: int  # every chunk written, copied ones included
    embedded: int
    source_hash: str
    seconds: float
    copied: int = 0  # chunks copied with their vectors from a community base


@dataclass(frozen=True)
class CommunityBase:
    """The community chunks of a built datastore (the layer's) with their stored vectors.

    A landlord's datastore holds them beside the landlord's own chunks, copied rather than
    embedded again, so that community and landlord are searched together by the same ranking
    code; ``source_hash`` goes into the landlord datastore's hash, so a new community base
    gives a new version.
    """

    rows: list[ChunkRow]
    vectors: Vectors
    source_hash: str
    model_id: str
    topics: Vectors | None  # the scope gate's topic vectors, when the base stored them

    @classmethod
    def read(cls, path: Path) -> CommunityBase:
        datastore = Datastore(path)
        try:
            records, vectors = datastore.community_chunks()
            model_id = datastore.meta.embedding_model
            topics = datastore.topic_vectors(topics_fingerprint(model_id))
            source = datastore.meta.source_hash
        finally:
            datastore.close()
        rows = [
            ChunkRow(
                record.file,
                record.title,
                tuple(record.heading_path),
                tuple(record.headings),
                record.text,
                record.access,
                record.landlord,
                AccessLevel.COMMUNITY.value,
            )
            for record in records
        ]
        return cls(rows, vectors, source, model_id, topics)


def build_salt(embedder: Embedder, config: ChunkingConfig) -> str:
    """What a datastore depends on besides the sources: model, settings and indexing code."""
    return f"{embedder.model_id}|{CHUNKER_VERSION}|{SCHEMA_VERSION}|{config}|{_code_fingerprint()}"


# The modules whose code shapes what a datastore holds (their change rebuilds cached ones).
INDEXING_MODULES = (
    "build.py",
    "chunking.py",
    "names.py",
    "text.py",
    "sources.py",
    "scope.py",
    "acronyms.py",
)


@functools.cache
def _code_fingerprint() -> str:
    """Hash of the modules and data that shape the index, so a cached datastore is never stale."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for name in INDEXING_MODULES:
        digest.update((package / name).read_bytes())
    for path in sorted((package / "data").iterdir()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def datastore_hash(
    files: Sequence[tuple[Path, Path]],
    embedder: Embedder,
    config: ChunkingConfig,
    base: CommunityBase | None = None,
) -> str:
    """The source hash a datastore of ``files`` (``discover``'s pairs) records: the files,
    what indexing depends on and, for a landlord's datastore, the community base's hash."""
    salt = build_salt(embedder, config)
    if base is not None:
        salt += f"|community:{base.source_hash}"
    return source_hash(files, salt)


def collect_chunks(
    sources: Sequence[Path],
    config: ChunkingConfig | None = None,
    *,
    community_only: bool = False,
) -> list[ChunkRow]:
    files = discover(sources, community_only=community_only)
    return _collect(files, config or ChunkingConfig(), community_only=community_only)


def _collect(
    files: Sequence[tuple[Path, Path]], cfg: ChunkingConfig, *, community_only: bool = False
) -> list[ChunkRow]:
    rows: list[ChunkRow] = []
    for source, path in files:
        doc = load_document(path, source)
        if community_only and doc.landlord is not None:
            raise BuildError(f"{doc.file}: a landlord's file outside its landlord folder")
        for draft in chunk_markdown(doc.body, cfg):
            rows.append(
                ChunkRow(
                    doc.file,
                    doc.title,
                    draft.heading_path,
                    draft.headings,
                    draft.text,
                    doc.access,
                    doc.landlord,
                    doc.scope,
                )
            )
    return rows


def build_datastore(
    sources: Sequence[Path],
    out: Path,
    embedder: Embedder,
    *,
    cache: EmbeddingCache | None = None,
    config: ChunkingConfig | None = None,
    progress: ProgressFactory | None = None,
    base: CommunityBase | None = None,
    community_only: bool = False,
) -> BuildReport:
    """Build ``out`` atomically (temp file + rename); unchanged chunks reuse cached vectors.

    With a community ``base`` (a landlord's build), its chunks and vectors come first, copied,
    and ``sources`` may be empty: a landlord without sources of its own gets the community.
    ``community_only``: without the landlord folders (the layer's datastore; file ids are
    the same as in a full build).
    """
    started = time.monotonic()
    cfg = config or ChunkingConfig()
    if base is not None and base.model_id != embedder.model_id:
        raise EmbeddingModelMismatchError(
            f"the community datastore was built with {base.model_id}, not {embedder.model_id}"
        )
    files = discover(sources, community_only=community_only) if sources or base is None else []
    digest = datastore_hash(files, embedder, cfg, base)
    own = _collect(files, cfg, community_only=community_only)
    copied = base.rows if base is not None else []
    if not own and not copied:
        raise BuildError("the knowledge folders contain no text to index")
    vectors, embedded = _vectors(embedder, own, cache, base, progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        write_datastore(
            tmp,
            [*copied, *own],
            vectors,
            embedder.model_id,
            digest,
            _topic_vectors(embedder, cache, base),
            community_hash=base.source_hash if base is not None else "",
        )
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    seconds = time.monotonic() - started
    return BuildReport(out, len(copied) + len(own), embedded, digest, seconds, len(copied))


def _vectors(
    embedder: Embedder,
    rows: Sequence[ChunkRow],
    cache: EmbeddingCache | None,
    base: CommunityBase | None,
    progress: ProgressFactory | None,
) -> tuple[Vectors, int]:
    """The vectors of the base's rows (copied) then of ``rows`` (cached or embedded), and how
    many were embedded. A base alone calls no embedder (a remote one would be asked its
    dimension)."""
    if base is not None and not rows:
        return base.vectors, 0
    texts = [row.embed_text for row in rows]
    tick = progress(len(texts), "embedding") if progress else None
    vectors, embedded = embed_cached(
        embedder, texts, [_hash(t) for t in texts], cache, progress=tick
    )
    if base is not None:
        vectors = np.concatenate([base.vectors, vectors])
    return vectors, embedded


def _topic_vectors(
    embedder: Embedder, cache: EmbeddingCache | None, base: CommunityBase | None
) -> Vectors:
    """The scope gate's topics: the community base's when it stored them, else embedded in
    one call, as ScopeTopics.load embeds them (a batch changes their vectors by ~1e-7 at
    most), through the cache so that a rebuild embeds nothing."""
    if base is not None and base.topics is not None:
        return base.topics
    topics, _ = embed_cached(
        embedder, ALL_TOPICS, [_hash(t) for t in ALL_TOPICS], cache, batch_size=len(ALL_TOPICS)
    )
    return topics


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY, file TEXT NOT NULL, title TEXT NOT NULL, heading_path TEXT NOT NULL,
    headings TEXT NOT NULL, text TEXT NOT NULL, access TEXT NOT NULL, landlord TEXT,
    scope TEXT NOT NULL, chunk_hash TEXT NOT NULL);
CREATE INDEX chunks_scope ON chunks (scope);
CREATE TABLE names (name TEXT NOT NULL, chunk_id INTEGER NOT NULL REFERENCES chunks (id));
CREATE INDEX names_name ON names (name);
CREATE VIRTUAL TABLE chunks_fts USING fts5 (
    head, body, head_stem, body_stem, content='', tokenize='unicode61 remove_diacritics 2');
CREATE TABLE files (file TEXT PRIMARY KEY, scope TEXT NOT NULL, title TEXT NOT NULL);
CREATE TABLE topic_vectors (fingerprint TEXT PRIMARY KEY, vectors BLOB NOT NULL);
CREATE TABLE vocab (kind TEXT NOT NULL, term TEXT NOT NULL, df INTEGER NOT NULL,
    PRIMARY KEY (kind, term)) WITHOUT ROWID;
CREATE TABLE acronyms (letters TEXT PRIMARY KEY, words TEXT NOT NULL,
    also_a_word INTEGER NOT NULL) WITHOUT ROWID;
"""


def _write_files(db: Any, rows: Sequence[ChunkRow]) -> None:
    """One row per file with its title field, for finding the file named in a question."""
    files = {row.file: (row.scope, title_field(row)) for row in rows}
    db.executemany("INSERT INTO files VALUES (?, ?, ?)", [(f, *v) for f, v in files.items()])


def write_datastore(
    path: Path,
    rows: list[ChunkRow],
    vectors: Vectors,
    model_id: str,
    digest: str,
    topics: Vectors | None = None,
    *,
    community_hash: str = "",
) -> None:
    """Write ``rows`` and their ``vectors`` (row i ↔ vector i) to a new SQLite file, and the
    scope gate's ``topics`` (the vectors of ``scope.ALL_TOPICS``) when given;
    ``community_hash``: the community datastore a landlord's rows were added to."""
    db = open_writable(path)
    try:
        db.executescript(_SCHEMA)
        dims = int(vectors.shape[1])
        db.execute(
            "CREATE VIRTUAL TABLE chunks_vec USING vec0 ("
            f"scope TEXT PARTITION KEY, embedding float[{dims}] distance_metric=cosine)"
        )
        for chunk_id, row in enumerate(rows, start=1):
            head, body = _fts_columns(row)
            db.execute(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    chunk_id,
                    row.file,
                    row.title,
                    json.dumps(list(row.heading_path), ensure_ascii=False),
                    json.dumps(list(row.headings), ensure_ascii=False),
                    row.text,
                    row.access.value,
                    row.landlord,
                    row.scope,
                    row.chunk_hash,
                ),
            )
            db.execute(
                "INSERT INTO chunks_fts (rowid, head, body, head_stem, body_stem)"
                " VALUES (?, ?, ?, ?, ?)",
                (chunk_id, head, body, index_terms(head), index_terms(body)),
            )
            db.executemany(
                "INSERT INTO names VALUES (?, ?)", [(n, chunk_id) for n in extract_names(row.text)]
            )
        _write_files(db, rows)
        db.executemany(
            "INSERT INTO chunks_vec (rowid, scope, embedding) VALUES (?, ?, ?)",
            [
                (chunk_id, row.scope, vector.astype(np.float32).tobytes())
                for chunk_id, (row, vector) in enumerate(zip(rows, vectors, strict=True), start=1)
            ],
        )
        meta = {
            "embedding_model": model_id,
            "dims": str(dims),
            "source_hash": digest,
            "build_date": datetime.now(UTC).isoformat(timespec="seconds"),
            "chunk_count": str(len(rows)),
            "schema_version": str(SCHEMA_VERSION),
        }
        if community_hash:
            meta["community_hash"] = community_hash
        db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        if topics is not None:
            db.execute(
                "INSERT INTO topic_vectors VALUES (?, ?)",
                (topics_fingerprint(model_id), topics.astype(np.float32).tobytes()),
            )
        db.execute("INSERT INTO chunks_fts (chunks_fts) VALUES ('optimize')")
        db.commit()
        db.executemany("INSERT INTO vocab VALUES (?, ?, ?)", _prose_vocabulary(rows))
        db.executemany(
            "INSERT INTO acronyms VALUES (?, ?, ?)",
            [
                (a.letters, " ".join(a.words), int(a.also_a_word))
                for a in collect_acronyms(row.text for row in rows).values()
            ],
        )
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()
