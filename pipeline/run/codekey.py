"""Which code keys which stage: every module (and data file) of the packages a stage depends on.

A stage's outputs depend on the code that computes them, so that code is part of the stage's key:
change an aligner module and the align stage is redone, change how reports render and the score
stage is redone, even within one package version. The key is computed from *packages*, walked
recursively, never from a list of file names: moving, adding or renaming a module inside a
package cannot leave it out.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

#: stage -> the packages (or modules) whose code decides its outputs
STAGE_CODE: dict[str, tuple[str, ...]] = {
    "segment": (
        "unmt.pipeline.segment",
        "unmt.records",
        "unmt.textcodec",
        "unmt.script",
        "unmt.pipeline.run.stages",
    ),
    "align": (
        "unmt.pipeline.align",
        "unmt.eval.glossary",
        "unmt.records",
        "unmt.pipeline.run.stages",
        "unmt.pipeline.run.pairing",
    ),
    "score": ("unmt.eval", "unmt.records", "unmt.pipeline.run.stages"),
    "corpus": ("unmt.eval", "unmt.records", "unmt.pipeline.run.stages", "unmt.pipeline.run.corpus"),
}
#: files that are code or data the code reads (glossaries, word lists); caches and bytecode are not
_SUFFIXES = (".py", ".tsv", ".txt", ".json")


def code_files(names: tuple[str, ...]) -> list[tuple[str, Path]]:
    """``(label, path)`` of every file of ``names``: a package's whole tree, a module's file.

    Labels are ``<name>/<path inside the package>`` so that the same files give the same key
    wherever the package is installed.

    Raises:
        ModuleNotFoundError: a name that does not import (a stage naming a package that moved).
    """
    out: list[tuple[str, Path]] = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None:
            raise ModuleNotFoundError(f"stage code {name!r} is not an importable module")
        roots = list(spec.submodule_search_locations or [])
        if not roots:
            if spec.origin:
                out.append((name, Path(spec.origin)))
            continue
        for root in roots:
            base = Path(root)
            for path in sorted(base.rglob("*")):
                if "__pycache__" in path.parts or path.suffix not in _SUFFIXES:
                    continue
                if path.is_file():
                    out.append((f"{name}/{path.relative_to(base).as_posix()}", path))
    return out


def fingerprint(files: list[tuple[str, Path]]) -> str:
    """A sha256 prefix over the labels and bytes of ``files``."""
    h = hashlib.sha256()
    for label, path in files:
        h.update(label.encode("utf-8") + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


@functools.cache
def stage_code_key(stage: str) -> str:
    """The code key of ``stage`` (one of :data:`STAGE_CODE`); computed once per process."""
    return fingerprint(code_files(STAGE_CODE[stage]))
