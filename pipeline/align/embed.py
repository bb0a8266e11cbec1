"""Optional sentence-embedding similarity for the aligner (off by default).

A user who has a multilingual sentence-transformers model (LaBSE, for instance) passes its id or
local path (``unmt align --embeddings sentence-transformers/LaBSE``); the aligner then adds
``1 - cosine`` of the summed, normalised span embeddings to each bead's cost, as Vecalign and
Bertalign do. ``sentence-transformers`` is imported only here, only when asked for, and is not a
dependency of the package.

An :data:`Embedder` is any callable from a list of texts to an ``(n, d)`` array; the aligner
normalises its rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from unmt.errors import UserError

log = logging.getLogger(__name__)

Embedder = Callable[[Sequence[str]], Any]


def load_embedder(model_id: str) -> Embedder:
    """A sentence-transformers model as an :data:`Embedder` (imported lazily).

    Raises:
        UserError: the package is missing or the model cannot be loaded (offline and not
            cached, bad path).
    """
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise UserError(
            f"embeddings model {model_id!r} needs the sentence-transformers package",
            hint="pip install sentence-transformers, or align without --embeddings",
        ) from None
    try:
        model = SentenceTransformer(model_id)
    except Exception as exc:  # the library raises many kinds; all mean "cannot load"
        raise UserError(
            f"cannot load embeddings model {model_id!r}: {exc}",
            hint="give a local model folder or a model id already in the Hugging Face cache",
        ) from None

    def embed(texts: Sequence[str]) -> Any:
        return model.encode(list(texts), show_progress_bar=False)

    return embed


def normalised_rows(vectors: Any) -> Any:
    """Rows scaled to unit length (zero rows stay zero), as a float32 numpy array."""
    import numpy as np

    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim != 2:
        raise ValueError(f"an embedder must return a 2-D array, got shape {arr.shape}")
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    return arr / np.where(norms > 0, norms, 1.0)


def span_vectors(vectors: Any, width: int) -> Any:
    """Normalised sums of ``width`` consecutive rows: row i covers rows i .. i + width - 1."""
    import numpy as np

    n = vectors.shape[0]
    if n < width:
        return np.zeros((0, vectors.shape[1]), dtype=np.float32)
    csum = np.vstack([np.zeros((1, vectors.shape[1]), dtype=np.float32), np.cumsum(vectors, 0)])
    return normalised_rows(csum[width:] - csum[: n - width + 1])
