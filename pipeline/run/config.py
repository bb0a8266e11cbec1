"""Settings of ``unmt run``: a YAML config file, overridden by command-line flags.

A config file is a YAML mapping using the same names as the flags (``-`` or ``_``)::

    inputs: [docs/*.zh.txt]          # files, directories or globs
    references: [docs/a.en.txt]      # same order as inputs
    pairs: pairs.tsv                 # or a manifest of zh path, en path, optional doc id
    output: runs/2021
    glossaries: [my-terms.tsv]
    model: Helsinki-NLP/opus-mt-zh-en
    backend: auto
    beam: 4
    batch_size: 16
    device: cpu
    compute_type: default
    cache: /path/to/cache.sqlite
    jobs: 2
    force: false
    quiet: false

Unknown keys and values of the wrong type are errors naming the file and line. Relative paths in
a config file are relative to the file's folder. A flag given on the command line wins over the
file; list flags (``--glossary``, ``--reference``, inputs) replace the file's list.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from unmt.errors import UserError

_PATH_LISTS = ("inputs", "references", "glossaries")
_PATHS = ("pairs", "output", "cache", "model")


@dataclass
class RunConfig:
    """Every setting of a run (see the module docstring)."""

    inputs: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    pairs: str | None = None
    output: str | None = None
    glossaries: list[str] = field(default_factory=list)
    model: str = "Helsinki-NLP/opus-mt-zh-en"
    backend: str = "auto"
    beam: int | None = None
    batch_size: int | None = None
    device: str = "auto"
    compute_type: str | None = None
    cache: str | None = None
    jobs: int = 1
    force: bool = False
    quiet: bool = False

    def translation_settings(self) -> dict[str, Any]:
        """The settings that change a translation (part of the translate stage's key)."""
        return {
            "model": self.model,
            "backend": self.backend,
            "beam": self.beam,
            "batch_size": self.batch_size,
            "device": self.device,
            "compute_type": self.compute_type,
        }


_TYPES: dict[str, tuple[type, ...]] = {
    "inputs": (list,),
    "references": (list,),
    "glossaries": (list,),
    "pairs": (str,),
    "output": (str,),
    "model": (str,),
    "backend": (str,),
    "beam": (int,),
    "batch_size": (int,),
    "device": (str,),
    "compute_type": (str,),
    "cache": (str,),
    "jobs": (int,),
    "force": (bool,),
    "quiet": (bool,),
}
KNOWN_KEYS = tuple(f.name for f in fields(RunConfig))


def _resolve(value: str, base: Path, key: str) -> str:
    if key == "model" and (value == "tiny" or not (base / value).exists()):
        return value  # a hub id or ``tiny``, not a path
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else base / path)


def _has_type(value: Any, types: tuple[type, ...]) -> bool:
    if types == (int,) and isinstance(value, bool):
        return False  # YAML true/false is not a number
    return isinstance(value, types)


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML run config into a dict of known keys (paths made absolute)."""
    import yaml

    cfg = Path(path)
    try:
        text = cfg.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read the config ({exc})", path=cfg) from exc
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        problem = getattr(exc, "problem", exc)
        raise UserError(f"not valid YAML ({problem})", path=cfg, line=line) from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise UserError("a run config must be a YAML mapping of settings", path=cfg, line=1)
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
    out: dict[str, Any] = {}
    for raw_key, raw_value in data.items():
        value = raw_value
        key = str(raw_key).replace("-", "_")
        line = lines.get(str(raw_key))
        if key not in KNOWN_KEYS:
            raise UserError(
                f"unknown setting {raw_key!r}",
                path=cfg,
                line=line,
                hint="known settings: " + ", ".join(KNOWN_KEYS),
            )
        if key in _PATH_LISTS and isinstance(value, str):
            value = [value]
        ok = _TYPES[key]
        if value is None and key not in _PATH_LISTS:
            out[key] = None
            continue
        if not _has_type(value, ok):
            raise UserError(
                f"setting {raw_key!r} must be {' or '.join(t.__name__ for t in ok)}, "
                f"not {type(value).__name__}",
                path=cfg,
                line=line,
            )
        if key in _PATH_LISTS:
            if not all(isinstance(v, str) for v in value):
                raise UserError(f"setting {raw_key!r} must be a list of paths", path=cfg, line=line)
            value = [_resolve(v, cfg.parent, key) for v in value]
        elif key in _PATHS:
            value = _resolve(value, cfg.parent, key)
        out[key] = value
    return out


def resolve_config(args: argparse.Namespace) -> RunConfig:
    """The run's settings: defaults, then the ``--config`` file, then flags given."""
    values: dict[str, Any] = {}
    if getattr(args, "config", None):
        values.update(load_config(args.config))
    for key in KNOWN_KEYS:
        flag = getattr(args, key, None)
        if flag is None or flag == [] or flag is False:
            continue
        values[key] = flag
    config = RunConfig(**values)
    if config.jobs < 1:
        raise UserError(f"jobs must be at least 1, not {config.jobs}")
    if config.beam is not None and config.beam < 1:
        raise UserError(f"beam must be at least 1, not {config.beam}")
    if not config.output:
        raise UserError("no run directory", hint="give -o RUN_DIR (or `output:` in the config)")
    if not config.inputs and not config.pairs:
        raise UserError("no input documents", hint="name INPUT files or give --pairs MANIFEST")
    return config
