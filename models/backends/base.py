"""The backend interface and the lazy name -> backend registry.

A backend only turns a batch of source piece sequences into target piece sequences (DESIGN.md
§4); tokenising, batching, splitting, protected spans and caching are shared code above it.
Backends are looked up by name and imported only when used, so nothing here imports torch or
ctranslate2.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import Protocol

from unmt.errors import UserError
from unmt.models.family import TextTokenizer
from unmt.models.resolve import ResolvedModel

#: backend name -> "module:Class"
BACKENDS: dict[str, str] = {
    "ctranslate2": "unmt.models.backends.ct2:CTranslate2Backend",
    "transformers": "unmt.models.backends.hf:TransformersBackend",
}
BACKEND_CHOICES: tuple[str, ...] = ("auto", *BACKENDS)
DEVICE_CHOICES: tuple[str, ...] = ("auto", "cpu", "cuda")
COMPUTE_TYPES: tuple[str, ...] = ("auto", "float32", "int8", "float16", "bfloat16")


@dataclass(frozen=True)
class Decoding:
    """Decoding settings for one batch.

    Attributes:
        beam: beam size (1 = greedy).
        max_length: most output tokens per sequence (excluding ``</s>``).
        min_length: fewest output tokens per sequence (excluding ``</s>``).
    """

    beam: int
    max_length: int
    min_length: int = 1


class Backend(Protocol):
    """What the translation stage needs from an inference engine."""

    name: str
    device: str
    compute_type: str

    def translate_pieces(self, batch: list[list[str]], decoding: Decoding) -> list[list[str]]:
        """Translate source pieces (no special tokens) into target pieces (no special tokens)."""
        ...


def pick_device(device: str, cuda_available: bool, engine: str) -> str:
    """Resolve ``auto|cpu|cuda`` for an engine that does (not) see a GPU; ``cuda`` without one
    is an error."""
    if device == "auto":
        return "cuda" if cuda_available else "cpu"
    if device == "cuda" and not cuda_available:
        raise UserError(
            f"--device cuda was requested but {engine} sees no CUDA GPU",
            hint="use --device cpu or --device auto",
        )
    if device not in ("cpu", "cuda"):
        raise UserError(f"unknown device {device!r}", hint="choose auto, cpu or cuda")
    return device


def default_compute_type(device: str, compute_type: str) -> str:
    """``auto`` -> float16 on a GPU, else float32; any other compute type is kept."""
    if compute_type == "auto":
        return "float16" if device == "cuda" else "float32"
    return compute_type


def resolve_backend_name(name: str) -> str:
    """``auto`` -> ``ctranslate2`` when installed, else ``transformers``; unknown names fail."""
    if name == "auto":
        return "ctranslate2" if importlib.util.find_spec("ctranslate2") else "transformers"
    if name not in BACKENDS:
        raise UserError(
            f"unknown backend {name!r}", hint="choose one of: " + ", ".join(BACKEND_CHOICES)
        )
    return name


def check_compute_type(name: str) -> str:
    """Validate ``--compute-type``."""
    if name not in COMPUTE_TYPES:
        raise UserError(
            f"unknown compute type {name!r}", hint="choose one of: " + ", ".join(COMPUTE_TYPES)
        )
    return name


def _module(name: str) -> tuple[object, str]:
    module_name, _, cls_name = BACKENDS[resolve_backend_name(name)].partition(":")
    return importlib.import_module(module_name), cls_name


def resolve_settings(name: str, device: str, compute_type: str) -> tuple[str, str]:
    """``(device, compute_type)`` with ``auto`` resolved for backend ``name``; errors are
    :class:`UserError` (``cuda`` absent, a compute type the backend cannot run)."""
    if device not in DEVICE_CHOICES:
        raise UserError(
            f"unknown device {device!r}", hint="choose one of: " + ", ".join(DEVICE_CHOICES)
        )
    module, _ = _module(name)
    result: tuple[str, str] = module.resolve_settings(device, check_compute_type(compute_type))  # type: ignore[attr-defined]
    return result


def load_backend(
    name: str, model: ResolvedModel, tokenizer: TextTokenizer, *, device: str, compute_type: str
) -> Backend:
    """Instantiate backend ``name`` for ``model`` (device and compute type may be ``auto``)."""
    module, cls_name = _module(name)
    cls = getattr(module, cls_name)
    backend: Backend = cls(model, tokenizer, device=device, compute_type=compute_type)
    return backend


class EngineBackend:
    """The constructor the engines share: the device and compute type (``auto`` is resolved
    here through :func:`resolve_settings` only when a caller did not resolve it already), the
    tokenizer and its model family kept, then :meth:`load` reads ``model`` into the engine.
    Subclasses set ``name`` and define :meth:`load` and ``translate_pieces``."""

    name = ""

    def __init__(
        self, model: ResolvedModel, tokenizer: TextTokenizer, *, device: str, compute_type: str
    ) -> None:
        if device == "auto" or compute_type == "auto":
            device, compute_type = resolve_settings(self.name, device, compute_type)
        self.device, self.compute_type = device, compute_type
        self.tokenizer = tokenizer
        self.family = tokenizer.family
        self.load(model)

    def load(self, model: ResolvedModel) -> None:
        """Load ``model`` into the engine (``self.device``/``self.compute_type`` are set)."""
        raise NotImplementedError
