"""Knowledge: markdown folders → ``datastore.sqlite`` → hybrid (BM25 + dense) search.

Pipeline entry points::

    kb = KnowledgeBase.open(Settings.from_env().datastore_path)  # once per container
    kb.search("question", k=5, landlord="pierre-habitat.fr", access=["community", "public"])
    kb.search_many(["rewrite 1", "rewrite 2"], k=5, landlord=..., access=...)
    kb.search_with_history("et pour un meublé ?", history, k=5, ...)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Attributes are imported on first use (PEP 562): ``pierre_rag.knowledge.models`` must stay
# cheap for the functions that only need AccessLevel (landlords, SMS webhook), while search and
# build pull numpy, sqlite-vec and the embedding model.
_EXPORTS = {
    "BuildReport": "build",
    "build_datastore": "build",
    "ChunkingConfig": "chunking",
    "chunk_markdown": "chunking",
    "Datastore": "datastore",
    "Embedder": "embeddings",
    "OpenAIEmbedder": "embeddings",
    "UseEmbedder": "embeddings",
    "embedder_from_env": "embeddings",
    "BuildError": "errors",
    "DatastoreError": "errors",
    "EmbeddingModelMismatchError": "errors",
    "KnowledgeError": "errors",
    "AccessLevel": "models",
    "SearchResponse": "models",
    "SearchResult": "models",
    "KnowledgeBase": "search",
    "SearchConfig": "search",
    "contextual_query": "search",
}

if TYPE_CHECKING:
    from pierre_rag.knowledge.build import BuildReport, build_datastore
    from pierre_rag.knowledge.chunking import ChunkingConfig, chunk_markdown
    from pierre_rag.knowledge.datastore import Datastore
    from pierre_rag.knowledge.embeddings import (
        Embedder,
        OpenAIEmbedder,
        UseEmbedder,
        embedder_from_env,
    )
    from pierre_rag.knowledge.errors import (
        BuildError,
        DatastoreError,
        EmbeddingModelMismatchError,
        KnowledgeError,
    )
    from pierre_rag.knowledge.models import AccessLevel, SearchResponse, SearchResult
    from pierre_rag.knowledge.search import (
        KnowledgeBase,
        SearchConfig,
        contextual_query,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "AccessLevel",
    "BuildError",
    "BuildReport",
    "ChunkingConfig",
    "Datastore",
    "DatastoreError",
    "Embedder",
    "EmbeddingModelMismatchError",
    "KnowledgeBase",
    "KnowledgeError",
    "OpenAIEmbedder",
    "SearchConfig",
    "SearchResponse",
    "SearchResult",
    "UseEmbedder",
    "build_datastore",
    "chunk_markdown",
    "contextual_query",
    "embedder_from_env",
]
