"""``unmt translate``: translate a segment JSONL file or a plain-text file, one segment a line.

JSONL input (from ``unmt segment``) gives JSONL output, one ``Translation`` per line (``id``,
``text``, ``mt``, ``flags``); plain-text input gives the same number of lines, line i
translating line i, an empty line staying empty.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from unmt.fileio import is_jsonl, jsonl_records, output_stream, read_text, split_lines, write_jsonl
from unmt.models.backends.base import BACKEND_CHOICES, COMPUTE_TYPES, DEVICE_CHOICES
from unmt.models.resolve import DEFAULT_MODEL
from unmt.models.split import DEFAULT_SPLIT_TOKENS
from unmt.models.translate import DEFAULT_BATCH_SIZE, DEFAULT_BATCH_TOKENS

log = logging.getLogger(__name__)


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {n}")
    return n


def add_engine_options(p: argparse.ArgumentParser) -> None:
    """The model/engine options shared by ``translate`` and other commands that translate."""
    p.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"hub id, local model folder, or 'tiny' (default {DEFAULT_MODEL})",
    )
    p.add_argument(
        "--backend",
        default="auto",
        choices=BACKEND_CHOICES,
        help="inference engine (auto: ctranslate2 when installed)",
    )
    p.add_argument("--beam", type=_positive, default=4, help="beam size (default 4)")
    p.add_argument(
        "--batch-size",
        type=_positive,
        default=DEFAULT_BATCH_SIZE,
        help=f"most segments per engine call (default {DEFAULT_BATCH_SIZE}; raise on a GPU)",
    )
    p.add_argument(
        "--max-batch-tokens",
        type=_positive,
        default=DEFAULT_BATCH_TOKENS,
        help=f"most padded source tokens per engine call (default {DEFAULT_BATCH_TOKENS})",
    )
    p.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    p.add_argument("--compute-type", default="auto", choices=COMPUTE_TYPES)
    p.add_argument(
        "--split-tokens",
        type=_positive,
        default=DEFAULT_SPLIT_TOKENS,
        help="split segments longer than this many source tokens at clause "
        f"punctuation (default {DEFAULT_SPLIT_TOKENS})",
    )
    p.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="translation cache file (default: translations.sqlite3 in the unmt "
        "cache folder, $UNMT_CACHE_DIR)",
    )
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def add_parser(subparsers: Any) -> None:
    """Register ``unmt translate``."""
    p = subparsers.add_parser(
        "translate",
        help="machine-translate segments (zh -> en)",
        description="Translate segment JSONL (from `unmt segment`; output: JSONL with id, "
        "text, mt, flags) or a plain-text file with one segment a line (output: the same "
        "number of lines, an empty line staying empty).",
    )
    p.add_argument("input", type=Path, help="segment JSONL (from `unmt segment`) or plain text")
    p.add_argument("-o", "--output", type=Path, default=None, help="output file (default stdout)")
    add_engine_options(p)
    p.set_defaults(func=run)


def options_from_args(args: argparse.Namespace) -> Any:
    """``TranslateOptions`` from parsed engine options."""
    from unmt.models.translate import TranslateOptions

    return TranslateOptions(
        model=args.model,
        backend=args.backend,
        beam=args.beam,
        batch_size=args.batch_size,
        max_batch_tokens=args.max_batch_tokens,
        device=args.device,
        compute_type=args.compute_type,
        cache=args.cache,
        no_cache=args.no_cache,
        quiet=args.quiet,
        split_tokens=args.split_tokens,
    )


def read_jsonl_segments(path: Path, lines: list[str]) -> list[dict[str, Any]]:
    """The records of a segment JSONL file; each must be an object with a string ``text``."""
    records = []
    for n, obj in jsonl_records(
        path,
        lines,
        field="text",
        hint="each line must be one segment record from `unmt segment`",
        bad_record="segment record without a string 'text' field",
    ):
        obj.setdefault("id", str(n))
        records.append(obj)
    return records


def _progress_bar(total: int, quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="seg",
        desc="translate",
        file=sys.stderr,
        dynamic_ncols=True,
        disable=quiet or not sys.stderr.isatty(),
    )


def run(args: argparse.Namespace) -> int:
    """Translate ``args.input``; returns the exit code."""
    from unmt.models.translate import open_translator
    from unmt.records import Translation

    lines = split_lines(
        read_text(args.input, hint="convert the file to UTF-8 or run `unmt segment` on it")
    )
    jsonl = is_jsonl(args.input, lines)
    records = read_jsonl_segments(args.input, lines) if jsonl else []
    if jsonl:
        lines = [r["text"] for r in records]
    with open_translator(options_from_args(args)) as translator:
        bar = _progress_bar(len(lines), args.quiet)
        try:
            results = translator.translate(lines, bar.update)
        finally:
            bar.close()
        log.info(
            "translated %d segments with %s; %d model calls",
            len(lines),
            translator.identity(),
            translator.model_calls,
        )
    if jsonl:
        out = [
            Translation(id=str(r["id"]), text=r["text"], mt=res.mt, flags=res.flags).to_json()
            for r, res in zip(records, results, strict=True)
        ]
        write_jsonl(args.output, out)
    else:
        with output_stream(args.output) as fh:
            for res in results:
                fh.write(res.mt.replace("\n", " ") + "\n")
    return 0
