"""An embedder whose vectors the test chooses: cosines known in advance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from pierre_rag.knowledge.embeddings import Vectors, normalise


def unit(*components: float) -> list[float]:
    return [float(c) for c in components]


class TableEmbedder:
    """Each text's vector from a table (normalised); an unknown text is orthogonal to all."""

    model_id = "test:table"

    def __init__(self, table: Mapping[str, Sequence[float]], dims: int = 3) -> None:
        self.table = table
        self.dims = dims + 1
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        rows = [
            [*self.table[text], 0.0] if text in self.table else [0.0] * (self.dims - 1) + [1.0]
            for text in texts
        ]
        return normalise(np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dims))
