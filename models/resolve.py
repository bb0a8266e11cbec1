"""Where models live: the unmt cache root, and turning ``--model`` into a local folder.

A model spec is ``tiny`` (the random-weight test model, built on first use into the cache), a
local folder holding a transformers model, or a Hugging Face hub id. Hub ids are looked up in
the hub cache first; when absent and the hub is unreachable (``HF_HUB_OFFLINE=1`` or no network)
resolution fails within seconds with a :class:`~unmt.errors.UserError` that names the model,
the cache folder and the remedies.

Every resolved model has an identity (id and revision or weights hash) that goes into cache keys
and signatures.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from unmt.cachedirs import cache_root, file_lock
from unmt.errors import UserError

log = logging.getLogger(__name__)

#: model families this stage can drive, by ``config.model_type``
SUPPORTED_MODEL_TYPES: tuple[str, ...] = ("marian", "m2m_100")
DEFAULT_MODEL = "Helsinki-NLP/opus-mt-zh-en"
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.json",
    "source.spm",
    "target.spm",
    "sentencepiece.bpe.model",
)
_REMEDIES = (
    "pass a local model folder with --model PATH, run once with network access so the model "
    "is downloaded into the cache, or use --model tiny (a random-weight smoke-test model whose "
    "output is meaningless)"
)


@dataclass(frozen=True)
class ResolvedModel:
    """A model folder on disk and what identifies it.

    Attributes:
        spec: what the user asked for (``tiny``, a path, a hub id).
        path: the local transformers folder.
        model_id: hub id, ``tiny``, or the absolute folder path.
        revision: hub commit hash, or ``sha256:<16 hex>`` of the weights for local folders.
        model_type: ``config.model_type`` (one of :data:`SUPPORTED_MODEL_TYPES`).
        meaningless: True for the random-weight tiny model.
        max_positions: the model's maximum number of source positions.
    """

    spec: str
    path: Path
    model_id: str
    revision: str
    model_type: str
    meaningless: bool
    max_positions: int


def weights_hash(folder: Path) -> str:
    """``sha256:<first 16 hex>`` over the folder's weights, config and tokenizer files.

    The tokenizer counts: a CTranslate2 conversion embeds its vocabulary, and the pieces decide
    the output, so the same weights with another tokenizer are another model.
    """
    h = hashlib.sha256()
    names = [n for n in _WEIGHT_FILES if (folder / n).is_file()] + ["config.json"]
    names += [n for n in _TOKENIZER_FILES if (folder / n).is_file()]
    for name in names:
        h.update(f"\0{name}\0".encode())
        with open(folder / name, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 22), b""):
                h.update(chunk)
    return "sha256:" + h.hexdigest()[:16]


def _read_config(folder: Path, spec: str) -> dict[str, object]:
    path = folder / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(
            f"cannot read the model configuration ({exc})",
            path=path,
            hint=f"--model {spec} must be a transformers model folder with config.json",
        ) from None
    model_type = str(config.get("model_type", ""))
    if model_type not in SUPPORTED_MODEL_TYPES:
        raise UserError(
            f"unsupported model type {model_type!r}",
            path=path,
            hint="supported model types: " + ", ".join(SUPPORTED_MODEL_TYPES),
        )
    return config


def _from_folder(spec: str, folder: Path, model_id: str, revision: str | None) -> ResolvedModel:
    from unmt.models.tiny.marian import is_tiny_model

    config = _read_config(folder, spec)
    return ResolvedModel(
        spec=spec,
        path=folder,
        model_id=model_id,
        revision=revision or weights_hash(folder),
        model_type=str(config["model_type"]),
        meaningless=is_tiny_model(folder),
        max_positions=int(config.get("max_position_embeddings") or 512),  # type: ignore[call-overload]
    )


def tiny_model_path(*, quiet: bool = False) -> Path:
    """Where ``--model tiny`` lives in the cache (built on first use, which takes 3-20 s: said
    on standard error first, unless ``quiet``)."""
    from unmt.models.tiny.marian import build_tiny_model, is_tiny_model, tiny_fingerprint

    folder = cache_root() / "models" / f"tiny-{tiny_fingerprint()}"
    if not is_tiny_model(folder):
        with file_lock(cache_root() / "models" / ".tiny.lock"):
            if not is_tiny_model(folder):
                if not quiet:  # a warning: the level a command shows without -v
                    log.warning(
                        "building the tiny random-weight test model into %s (once; it takes "
                        "3-20 s)",
                        folder,
                    )
                build_tiny_model(folder)
    return folder


def hub_reachable(timeout: float = 3.0) -> bool:
    """False when ``HF_HUB_OFFLINE`` is set or huggingface.co cannot be reached quickly."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return False
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    host = endpoint.split("://", 1)[-1].split("/", 1)[0]
    try:
        with socket.create_connection((host.split(":")[0], 443), timeout=timeout):
            return True
    except OSError:
        return False


def _from_hub(spec: str) -> ResolvedModel:
    from huggingface_hub import snapshot_download
    from huggingface_hub.constants import HF_HUB_CACHE

    patterns = ["*.json", "*.spm", "*.model", "*.safetensors", "*.txt"]
    try:
        folder = snapshot_download(spec, local_files_only=True, allow_patterns=patterns)
    except Exception:
        folder = None
    if folder is None:
        if not hub_reachable():
            raise UserError(
                f"model {spec!r} is not in the Hugging Face cache ({HF_HUB_CACHE}) and the hub "
                "cannot be reached (offline)",
                hint=_REMEDIES,
            )
        try:
            folder = snapshot_download(spec, allow_patterns=patterns)
        except Exception as exc:
            raise UserError(f"cannot download model {spec!r}: {exc}", hint=_REMEDIES) from None
    path = Path(str(folder))
    return _from_folder(spec, path, spec, path.name)


def resolve_model(spec: str, *, quiet: bool = False) -> ResolvedModel:
    """Turn ``--model`` (``tiny``, a folder, or a hub id) into a :class:`ResolvedModel`
    (``quiet``: no notice when the tiny model is built)."""
    from unmt.models.tiny.marian import TINY_SPEC

    if spec == TINY_SPEC:
        folder = tiny_model_path(quiet=quiet)
        return _from_folder(spec, folder, TINY_SPEC, None)
    path = Path(spec).expanduser()
    if path.is_dir():
        return _from_folder(spec, path.resolve(), str(path.resolve()), None)
    if path.exists() or spec.startswith((".", "/", "~")) or spec.count("/") > 1:
        raise UserError(
            "no model folder here", path=spec, hint="give a transformers model folder or a hub id"
        )
    return _from_hub(spec)
