"""Settings of the translation stage and the identity of what they produce.

``TranslateOptions`` are the ``unmt translate`` options; :func:`translation_identity` names what
produced a translation (for signatures, manifests and cache keys) and :func:`cache_prefix` turns
it into the prefix of every cache key, so that a change of model, backend, compute type, beam,
splitting or cache format never reuses an old translation. Re-exported by
:mod:`unmt.models.translate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unmt import __version__
from unmt.models.cache import settings_digest
from unmt.models.resolve import DEFAULT_MODEL, ResolvedModel
from unmt.models.split import DEFAULT_SPLIT_TOKENS

#: batch defaults for a CPU at beam 4: bigger batches gain little throughput there, and every
#: sequence of a batch waits for its longest one (raise them on a GPU)
DEFAULT_BATCH_SIZE = 24
DEFAULT_BATCH_TOKENS = 2048
#: bumped when anything that changes a cached translation changes (splitting, spans, lengths)
CACHE_FORMAT = 1


@dataclass(frozen=True)
class TranslateOptions:
    """Settings of the translation stage (the ``unmt translate`` options).

    Attributes:
        model: hub id, local folder, or ``tiny``.
        backend: ``auto`` (ctranslate2 when installed), ``ctranslate2`` or ``transformers``.
        beam: beam size (1 = greedy).
        batch_size: most segments (pieces) per engine call.
        max_batch_tokens: most padded source tokens per engine call.
        device: ``auto``, ``cpu`` or ``cuda``.
        compute_type: ``auto``, ``float32``, ``int8``, ``float16``, ``bfloat16``.
        cache: SQLite cache file; None for the default in the unmt cache folder.
        no_cache: translate everything, read and write no cache.
        quiet: no progress bar.
        split_tokens: segments longer than this (source tokens) are split at clause punctuation.
    """

    model: str = DEFAULT_MODEL
    backend: str = "auto"
    beam: int = 4
    batch_size: int = DEFAULT_BATCH_SIZE
    max_batch_tokens: int = DEFAULT_BATCH_TOKENS
    device: str = "auto"
    compute_type: str = "auto"
    cache: str | Path | None = None
    no_cache: bool = False
    quiet: bool = False
    split_tokens: int = DEFAULT_SPLIT_TOKENS


def translation_identity(
    options: TranslateOptions, model: ResolvedModel, backend_name: str, compute_type: str
) -> dict[str, Any]:
    """What produced the translations: for signatures, manifests and cache keys."""
    return {
        "model": model.model_id,
        "revision": model.revision,
        "model_type": model.model_type,
        "backend": backend_name,
        "compute_type": compute_type,
        "beam": options.beam,
        "split_tokens": options.split_tokens,
        "meaningless": model.meaningless,
        "unmt": __version__,
    }


def cache_prefix(identity: dict[str, Any]) -> str:
    """The cache-key prefix of ``identity`` (the unmt version left out, the format put in)."""
    keyed = {k: v for k, v in identity.items() if k != "unmt"}
    return settings_digest({**keyed, "cache_format": CACHE_FORMAT})
