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
from unmt.models.backends.base import BACKEND_CHOICES, COMPUTE_TYPES, DEVICE_CHOICES
from unmt.models.cache import settings_digest
from unmt.models.resolve import DEFAULT_MODEL, ResolvedModel
from unmt.models.split import DEFAULT_SPLIT_TOKENS
from unmt.settings import option

#: batch defaults for a CPU at beam 4: bigger batches gain little throughput there, and every
#: sequence of a batch waits for its longest one (raise them on a GPU)
DEFAULT_BATCH_SIZE = 24
DEFAULT_BATCH_TOKENS = 2048
#: the widest beam: beyond it a search costs far more than it can gain (a beam of 100,000 took
#: 51 s and 1.4 GiB for one line)
MAX_BEAM = 32
#: bumped when anything that changes a cached translation changes (splitting, spans, lengths)
CACHE_FORMAT = 1


@dataclass(frozen=True)
class TranslateOptions:
    """Settings of the translation stage: the one declaration behind ``unmt translate``'s and
    ``unmt run``'s flags, the run config's YAML keys and their validation (:mod:`unmt.settings`).
    """

    model: str = option(DEFAULT_MODEL, help="hub id, local model folder, or 'tiny'")
    backend: str = option(
        "auto", choices=BACKEND_CHOICES, help="inference engine (auto: ctranslate2 when installed)"
    )
    beam: int = option(4, minimum=1, maximum=MAX_BEAM, help="beam size, 1 = greedy")
    batch_size: int = option(
        DEFAULT_BATCH_SIZE,
        minimum=1,
        maximum=4096,
        help="most segments per engine call (raise on a GPU)",
    )
    max_batch_tokens: int = option(
        DEFAULT_BATCH_TOKENS,
        minimum=1,
        maximum=1 << 20,
        help="most padded source tokens per engine call",
    )
    device: str = option("auto", choices=DEVICE_CHOICES, help="where the engine runs")
    compute_type: str = option(
        "auto", choices=COMPUTE_TYPES, help="engine precision (auto: chosen for the device)"
    )
    split_tokens: int = option(
        DEFAULT_SPLIT_TOKENS,
        minimum=1,
        maximum=1024,
        help="split segments longer than this many source tokens at clause punctuation",
    )
    cache: str | Path | None = option(
        None,
        kind="path",
        metavar="PATH",
        help="translation cache file (default: translations.sqlite3 in the unmt cache folder, "
        "$UNMT_CACHE_DIR)",
    )
    no_cache: bool = option(False, kind="flag", help="neither read nor write the cache")
    quiet: bool = option(False, kind="flag", help="no progress bar")


#: the settings that change a translation (the rest say where it is kept and how it is shown)
OUTPUT_SETTINGS = (
    "model",
    "backend",
    "beam",
    "batch_size",
    "max_batch_tokens",
    "device",
    "compute_type",
    "split_tokens",
)


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
