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
from unmt.models.options import TranslateOptions
from unmt.pipeline.cli.options import add_settings, declare_io, given_settings
from unmt.settings import specs

log = logging.getLogger(__name__)


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
    p.add_argument("-o", "--output", default=None, help="output file (default stdout)")
    add_settings(p, specs(TranslateOptions).values())
    declare_io(p, ["input", "cache"])
    p.set_defaults(func=run)


def options_from_args(args: argparse.Namespace) -> Any:
    """``TranslateOptions`` from the parsed flags."""
    from unmt.models.options import TranslateOptions

    return TranslateOptions(**given_settings(args, specs(TranslateOptions).values()))


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
    from unmt.script import require_lang

    lines = split_lines(
        read_text(args.input, hint="convert the file to UTF-8 or run `unmt segment` on it")
    )
    jsonl = is_jsonl(args.input, lines)
    records = read_jsonl_segments(args.input, lines) if jsonl else []
    if jsonl:
        lines = [r["text"] for r in records]
    require_lang(lines, "zh", args.input, "INPUT")  # every model here translates from Chinese
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
        write_jsonl(args.output, out, named=True)
    else:
        with output_stream(args.output) as fh:
            for res in results:
                fh.write(res.mt.replace("\n", " ") + "\n")
    return 0
