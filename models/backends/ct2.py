"""The CTranslate2 backend, and converting transformers models into a keyed cache folder.

A model is converted once into ``<cache root>/ct2/<name>-<revision>-<quantization>`` and reused;
the key changes whenever the model id, its revision (hub commit or weights hash) or the
quantization changes, so a stale conversion is never loaded. Conversion happens in a temporary
folder renamed into place under a file lock, so two processes never see half a model.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import warnings
from pathlib import Path
from typing import Any

from unmt.cachedirs import cache_root, file_lock
from unmt.errors import UserError
from unmt.fileio import atomic_directory
from unmt.models.backends.base import Decoding, EngineBackend, default_compute_type, pick_device
from unmt.models.resolve import ResolvedModel

log = logging.getLogger(__name__)

#: quantizations a conversion can be stored with
QUANTIZATIONS: tuple[str, ...] = ("float32", "int8", "float16", "bfloat16")
_INFO = "unmt-conversion.json"


def ct2_device(device: str) -> str:
    """Resolve ``auto|cpu|cuda`` for CTranslate2; ``cuda`` without a GPU is an error."""
    import ctranslate2

    return pick_device(device, ctranslate2.get_cuda_device_count() > 0, "CTranslate2")


def conversion_dir(model: ResolvedModel, quantization: str) -> Path:
    """The cache folder for ``model`` converted with ``quantization``."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", model.model_id.strip("/"))[-80:]
    rev = re.sub(r"[^A-Za-z0-9]+", "", model.revision)[-16:]
    return cache_root() / "ct2" / f"{name}-{rev}-{quantization}"


def convert_model(model: ResolvedModel, quantization: str = "float32") -> Path:
    """Convert ``model`` for CTranslate2 (once) and return the converted folder."""
    if quantization not in QUANTIZATIONS:
        raise UserError(
            f"unknown quantization {quantization!r}",
            hint="choose one of: " + ", ".join(QUANTIZATIONS),
        )
    dest = conversion_dir(model, quantization)
    if (dest / _INFO).is_file():
        return dest
    with file_lock(dest.parent / f".{dest.name}.lock"):
        if (dest / _INFO).is_file():
            return dest
        from ctranslate2.converters import TransformersConverter

        copy = [n for n in ("source.spm", "target.spm") if (model.path / n).is_file()]
        with atomic_directory(dest) as tmp:
            log.info(
                "converting %s for CTranslate2 (%s) into %s", model.model_id, quantization, dest
            )
            out = tmp / "model"
            warnings.filterwarnings("ignore", message=".*sacremoses.*")
            TransformersConverter(str(model.path), copy_files=copy or None).convert(
                str(out), quantization=quantization, force=True
            )
            info = {
                "model_id": model.model_id,
                "revision": model.revision,
                "quantization": quantization,
                "model_type": model.model_type,
                "meaningless": model.meaningless,
                "source": str(model.path),
            }
            (out / _INFO).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
            for path in out.iterdir():  # the converter wants to create its own folder
                path.rename(tmp / path.name)
            out.rmdir()
    return dest


def list_conversions() -> list[dict[str, Any]]:
    """Info of every converted model in the cache (``path`` added)."""
    found = []
    for info_path in sorted((cache_root() / "ct2").glob(f"*/{_INFO}")):
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        info["path"] = str(info_path.parent)
        found.append(info)
    return found


#: CPU features with which CTranslate2's int8 kernels beat float32 (8-bit dot products)
INT8_CPU_FEATURES = ("avx512_vnni", "avx_vnni", "amx_int8")


@functools.lru_cache(maxsize=1)
def cpu_features() -> frozenset[str]:
    """The CPU's feature flags (Linux ``/proc/cpuinfo``; empty where it cannot be read)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                name, _, value = line.partition(":")
                if name.strip() in ("flags", "Features"):
                    return frozenset(value.split())
    except OSError:
        pass
    return frozenset()


def cpu_compute_type(features: frozenset[str], supported: set[str]) -> str:
    """The compute type ``auto`` means on a CPU with ``features``.

    int8 where the CPU has 8-bit dot-product instructions (VNNI, AMX): measured on an AMD Zen 4
    with AVX-512 VNNI, int8 was several times faster than float32 and steady, while float32 went
    through DNNL and varied 10-67 s for one job. Elsewhere float32, which keeps the model's exact
    outputs: on this project's AVX2-only EPYC (``unmt bench translate``, 64 UN sentences,
    opus-mt-zh-en's shape, medians of 3) int8 was 1.38x faster at greedy but 1.02x at beam 4, the
    default; ARM was not measured. ``--compute-type`` overrides.
    """
    if "int8" in supported and any(f in features for f in INT8_CPU_FEATURES):
        return "int8"
    return "float32"


def resolve_settings(device: str, compute_type: str) -> tuple[str, str]:
    """Resolve ``--device`` and ``--compute-type`` (``auto``: float16 on a GPU; on a CPU, int8
    or float32 by :func:`cpu_compute_type`)."""
    import ctranslate2

    dev = ct2_device(device)
    supported = set(ctranslate2.get_supported_compute_types(dev))
    if compute_type == "auto" and dev == "cpu":
        compute_type = cpu_compute_type(cpu_features(), supported)
    compute_type = default_compute_type(dev, compute_type)
    if compute_type not in supported:
        raise UserError(
            f"compute type {compute_type!r} is not supported by CTranslate2 on {dev}",
            hint="choose one of: " + ", ".join(sorted(supported)),
        )
    return dev, compute_type


class CTranslate2Backend(EngineBackend):
    """Greedy or beam decoding with ``ctranslate2.Translator``."""

    name = "ctranslate2"

    def load(self, model: ResolvedModel) -> None:
        """Convert ``model`` (once, into the cache) and open a translator on it."""
        import ctranslate2

        quantization = "int8" if self.compute_type.startswith("int8") else "float32"
        self.path = convert_model(model, quantization)
        self._translator = ctranslate2.Translator(
            str(self.path), device=self.device, compute_type=self.compute_type, inter_threads=1
        )
        self._prefix = list(self.family.target_prefix)

    def translate_pieces(self, batch: list[list[str]], decoding: Decoding) -> list[list[str]]:
        """Translate source pieces into target pieces (special tokens removed)."""
        n = len(self._prefix)
        return [h[n:] for h in self.hypotheses(batch, decoding)]

    def hypotheses(self, batch: list[list[str]], decoding: Decoding) -> list[list[str]]:
        """The best hypothesis per source, with the forced target prefix (M2M100/NLLB: the
        target language code) still in front."""
        if not batch:
            return []
        source = [self.family.frame_source(p) for p in batch]
        prefix = [list(self._prefix) for _ in batch] if self._prefix else None
        results = self._translator.translate_batch(
            source,
            target_prefix=prefix,
            beam_size=decoding.beam,
            max_decoding_length=decoding.max_length + len(self._prefix),
            min_decoding_length=decoding.min_length + len(self._prefix),
            max_input_length=0,
        )
        return [list(r.hypotheses[0]) for r in results]
