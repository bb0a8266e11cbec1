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
    max_batch_tokens: 2048
    split_tokens: 200
    device: cpu
    compute_type: auto
    cache: /path/to/cache.sqlite
    no_cache: false
    jobs: 2
    lines: false                     # one segment per line (line-aligned corpora)
    realign: false
    accept_mismatch: false
    force: false
    quiet: false

Every key is a declared setting: the run's own (:class:`RunConfig`) and the translation's
(:class:`~unmt.models.options.TranslateOptions`); the ``unmt run`` flags, this validation and the
help texts are derived from those declarations (:mod:`unmt.settings`). Unknown keys, duplicate
keys, values of the wrong type, outside their choices or below their minimum are errors naming
the file and line. Relative paths in
a config file are relative to the file's folder. A flag given on the command line wins over the
file; list flags (``--glossary``, ``--reference``, inputs) replace the file's list.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.fileio import MAX_CONFIG_BYTES, read_text
from unmt.models.options import OUTPUT_SETTINGS, TranslateOptions
from unmt.settings import Spec, option, specs

#: the executors of a run (``--engine``)
ENGINES = ("local", "ray")
#: run settings that change where work runs, never what it produces
EXECUTION_SETTINGS = (
    "force",
    "quiet",
    "jobs",
    "engine",
    "address",
    "translators",
    "translator_cpus",
)


@dataclass
class RunConfig:
    """Every setting of a run (see the module docstring); ``translate`` holds the translation's."""

    inputs: list[str] = option([], kind="paths", help="files, directories or globs")
    references: list[str] = option(
        [], kind="paths", help="English references, one per INPUT in the same order"
    )
    pairs: str | None = option(
        None, kind="path", metavar="MANIFEST", help="TSV/JSONL of zh path, en path, doc id"
    )
    output: str | None = option(None, kind="path", metavar="RUN_DIR", help="the run directory")
    glossaries: list[str] = option(
        [],
        kind="paths",
        help="glossary files, earlier wins ('un': the shipped UN glossary, always added last "
        "unless no_default_glossary)",
    )
    no_default_glossary: bool = option(
        False,
        kind="flag",
        help="use only the glossaries given, not the shipped UN glossary as well",
    )
    min_zh_chars: int = option(
        1,
        minimum=1,
        maximum=100,
        metavar="N",
        help="ignore Chinese glossary terms shorter than this",
    )
    jobs: int = option(
        1, minimum=1, maximum=256, metavar="N", help="processes for the cheap stages"
    )
    engine: str = option(
        "local",
        choices=ENGINES,
        help="local: this machine's processes; ray: a Ray cluster (pip install 'unmt[ray]')",
    )
    address: str | None = option(
        None,
        metavar="HOST:PORT",
        help="--engine ray: join this running Ray cluster (default: start a local one on "
        "127.0.0.1 with this machine's CPUs)",
    )
    translators: int = option(
        1,
        minimum=1,
        maximum=1024,
        metavar="N",
        help="--engine ray: translator actors, each loading the model once",
    )
    translator_cpus: float = option(
        1.0,
        minimum=0,
        maximum=1024,
        metavar="N",
        help="--engine ray: CPUs reserved by each translator actor",
    )
    lines: bool = option(
        False,
        kind="flag",
        help="every file is one segment per line (a line-aligned corpus such as the UN Parallel "
        "Corpus); a reference with the same lines is paired 1-1, without the aligner",
    )
    realign: bool = option(
        False, kind="flag", help="--lines: run the aligner even when the line counts agree"
    )
    accept_mismatch: bool = option(
        False,
        kind="flag",
        help="keep a document whose reference does not look like its translation (it is "
        "flagged, and unmt export leaves it out unless --include-flagged)",
    )
    force: bool = option(False, kind="flag", help="redo every stage")
    quiet: bool = option(False, kind="flag", help="no progress output")
    translate: TranslateOptions = field(default_factory=TranslateOptions)

    def translation_settings(self) -> dict[str, Any]:
        """The settings that change a translation (part of the translate stage's key)."""
        return {name: getattr(self.translate, name) for name in OUTPUT_SETTINGS}


def run_specs() -> dict[str, Spec]:
    """The run's own settings."""
    return specs(RunConfig)


def translate_specs() -> dict[str, Spec]:
    """The translation settings a run takes (``quiet`` is the run's own)."""
    return {k: v for k, v in specs(TranslateOptions).items() if k != "quiet"}


def all_specs() -> dict[str, Spec]:
    """Every key of a run config, the run's first."""
    return {**run_specs(), **translate_specs()}


def _resolve(value: str, base: Path, key: str) -> str:
    if key == "model" and (value == "tiny" or not (base / value).exists()):
        return value  # a hub id or ``tiny``, not a path
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else base / path)


def _check(
    spec: Spec, value: Any, label: str, path: Path | None = None, line: int | None = None
) -> None:
    problem = spec.check(value)
    if problem is not None:
        raise UserError(f"setting {label!r} {problem}", path=path, line=line)


def _first_alias(text: str) -> Any:
    """The first alias event of a YAML text (a run config has no use for one, and a chain of
    them expands exponentially), or ``None``; read as a stream of events, without recursion."""
    import yaml

    return next((e for e in yaml.parse(text) if isinstance(e, yaml.AliasEvent)), None)


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML run config into a dict of known keys (paths made absolute)."""
    import yaml

    cfg = Path(path)
    text = read_text(cfg, not_utf8="the config is not UTF-8 text", limit=MAX_CONFIG_BYTES)
    try:
        alias = _first_alias(text)
        if alias is not None:
            raise UserError(
                "YAML aliases (*name) are not accepted in a run config",
                path=cfg,
                line=alias.start_mark.line + 1,
                hint="write the value out where it is used",
            )
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        problem = getattr(exc, "problem", exc)
        raise UserError(f"not valid YAML ({problem})", path=cfg, line=line) from None
    except RecursionError:
        raise UserError("the config is nested too deeply to be a run config", path=cfg) from None
    except ValueError as exc:  # a number of more digits than Python converts
        what = str(exc).split(";")[0]  # Python's hint about its own limits is no use here
        raise UserError(f"not a value unmt can read ({what})", path=cfg) from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise UserError("a run config must be a YAML mapping of settings", path=cfg, line=1)
    known = all_specs()
    lines: dict[str, int] = {}
    for key_node, _ in node.value:
        name = str(key_node.value).replace("-", "_")
        if name in lines:
            raise UserError(
                f"setting {key_node.value!r} is given twice (first on line {lines[name]})",
                path=cfg,
                line=key_node.start_mark.line + 1,
                hint="keep one of them",
            )
        lines[name] = key_node.start_mark.line + 1
    out: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = str(raw_key).replace("-", "_")
        line = lines.get(key)
        spec = known.get(key)
        if spec is None:
            raise UserError(
                f"unknown setting {raw_key!r}",
                path=cfg,
                line=line,
                hint="known settings: " + ", ".join(known),
            )
        if spec.kind == "paths" and isinstance(value, str):
            value = [value]
        if value is None:  # `inputs:` left empty: the setting is not given
            out[key] = [] if spec.kind == "paths" else None
            continue
        _check(spec, value, str(raw_key), cfg, line)
        if spec.kind == "paths":
            value = [_resolve(v, cfg.parent, key) for v in value]
        elif spec.kind == "path" or key == "model":
            value = _resolve(value, cfg.parent, key)
        out[key] = value
    return out


def resolve_config(args: argparse.Namespace) -> RunConfig:
    """The run's settings: defaults, then the ``--config`` file, then flags given."""
    values: dict[str, Any] = {}
    if getattr(args, "config", None):
        values.update(load_config(args.config))
    known = all_specs()
    for key, spec in known.items():
        flag = getattr(args, key, None)
        if flag is None or flag == [] or (spec.kind == "flag" and flag is False):
            continue
        values[key] = flag
    for key, value in values.items():
        if value is not None:
            _check(known[key], value, key)
    run_keys = run_specs()
    run_values = {k: v for k, v in values.items() if k in run_keys and v is not None}
    tr_values = {k: v for k, v in values.items() if k not in run_keys and v is not None}
    tr_values["quiet"] = bool(run_values.get("quiet", False))
    config = RunConfig(**run_values, translate=TranslateOptions(**tr_values))
    if not config.output:
        raise UserError("no run directory", hint="give -o RUN_DIR (or `output:` in the config)")
    if not config.inputs and not config.pairs:
        hint = "name INPUT files or give --pairs MANIFEST"
        if config.references:  # `unmt run --reference en.txt zh.txt`: both became references
            hint = (
                f"--reference took every file after it ({', '.join(config.references)}): "
                "put the INPUT files first (`unmt run zh.txt --reference en.txt`)"
            )
        raise UserError("no input documents", hint=hint)
    return config


def with_translate(config: RunConfig, **changes: Any) -> RunConfig:
    """``config`` with some translation settings changed."""
    return dataclasses.replace(config, translate=dataclasses.replace(config.translate, **changes))
