"""``unmt run``: segment, translate, align, score and report many documents into a run directory.

See :mod:`unmt.pipeline.run.runner` for the stages and :mod:`unmt.pipeline.run.config` for the YAML
config. Prints a summary and where the report is; exit code 1 when any document failed.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from unmt.pipeline.cli.options import add_glossary_option, add_settings
from unmt.pipeline.run.config import run_specs, translate_specs


def add_parser(subparsers: Any) -> None:
    """Register ``unmt run``."""
    p = subparsers.add_parser(
        "run",
        help="run every stage on many documents into a resumable run directory",
        description=(
            "Segment, translate, align (with a reference), score and report Chinese documents. "
            "Re-running skips stages whose inputs and settings did not change; an interrupted "
            "run resumes from the translation cache."
        ),
    )
    p.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="files, directories or globs; without --reference, an English file among them "
        "(X.en.pdf, X-EN.docx, X_E.pdf beside X_C.pdf) is the reference of its Chinese file",
    )
    p.add_argument("-o", "--output", metavar="RUN_DIR", help="the run directory")
    p.add_argument(
        "--reference", dest="references", nargs="+", action="extend", metavar="EN",
        help="English references, one per INPUT in the same order (no pairing by name then)",
    )  # fmt: skip
    add_glossary_option(p, dest="glossaries", default_flag=False)  # the flag is a run setting
    run_own = run_specs()
    add_settings(
        p,
        [
            s
            for n, s in run_own.items()
            if n not in ("inputs", "output", "references", "glossaries")
        ],
        fill_defaults=False,
    )
    engine = p.add_argument_group("translation (the same settings as `unmt translate`)")
    add_settings(
        engine,
        translate_specs().values(),
        fill_defaults=False,
        help_overrides={"cache": "translation cache file (default RUN_DIR/cache.sqlite)"},
    )
    p.add_argument("--config", metavar="YAML", help="a run config; flags override it")
    p.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    """The ``unmt run`` command; returns the exit code."""
    from unmt.pipeline.run.config import resolve_config
    from unmt.pipeline.run.runner import run_documents

    config = resolve_config(args)
    summary = run_documents(config, progress=not config.quiet)
    total = len(summary.done) + len(summary.failed)
    flagged = f" ({len(summary.flagged)} flagged)" if summary.flagged else ""
    line = (
        f"unmt run: {len(summary.done)} of {total} document(s) done{flagged}, "
        f"{summary.segments} segments, {len(summary.failed)} failed, in {summary.seconds:.1f} s"
    )
    print(line)
    for doc_id, why in summary.flagged.items():
        print(f"  flagged: {doc_id}: {why} (left out of unmt export by default)", file=sys.stderr)
    for doc_id, error in summary.failed.items():
        print(f"  failed: {doc_id}: {error}", file=sys.stderr)
    if summary.report is not None:
        print(f"report: {summary.report}")
    print(f"run directory: {summary.run_dir}  (export: unmt export {summary.run_dir} -o OUT)")
    return summary.exit_code
