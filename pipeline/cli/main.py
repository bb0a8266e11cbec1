"""The ``unmt`` command line.

Each command lives in its own module exposing ``add_parser(subparsers)``; the module registers
its sub-parser and sets ``func`` (a callable taking the parsed ``argparse.Namespace`` and
returning an exit code). Command modules import nothing heavy at module level: torch,
transformers, ctranslate2 and datasets are imported inside the functions that need them, so
``unmt --help`` and ``unmt segment`` stay fast.

Exit codes: 0 success, 1 a run finished with failures, 2 bad input or settings
(:class:`unmt.errors.UserError`), 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from unmt import __version__
from unmt.errors import UserError

log = logging.getLogger("unmt")

#: command name -> module providing ``add_parser(subparsers)``
COMMANDS: dict[str, str] = {
    "segment": "unmt.pipeline.cli.segment",
    "translate": "unmt.pipeline.cli.translate",
    "models": "unmt.pipeline.cli.models",
    "align": "unmt.pipeline.cli.align",
    "score": "unmt.pipeline.cli.score",
    "glossary": "unmt.pipeline.cli.glossary",
    "eval": "unmt.pipeline.cli.evaluate",
    "run": "unmt.pipeline.cli.run",
    "export": "unmt.pipeline.cli.export",
}

#: ``unmt bench NAME`` -> module providing ``add_parser(subparsers)``
BENCHES: dict[str, str] = {
    "segment": "unmt.pipeline.bench.segment",
    "translate": "unmt.pipeline.bench.translate",
    "score": "unmt.pipeline.bench.score",
    "align": "unmt.pipeline.bench.align",
    "run": "unmt.pipeline.bench.run",
    "export": "unmt.pipeline.bench.export",
}


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: outputs stay whole, the command can be run again."""


#: the SIGTERMs the running command received (a library on the way up may turn the
#: ``Terminated`` raised for one into a plain ``KeyboardInterrupt``: Ray's ``get`` does)
_SIGTERMS: list[int] = []


def _terminated(signum: int, frame: object) -> None:
    _SIGTERMS.append(signum)
    raise Terminated


def _late_signal(signum: int, frame: object) -> None:
    """SIGTERM or SIGINT after the command returned, while the interpreter shuts down (threads
    of pyarrow or tqdm finishing): the outputs are complete; end now with the code and the line
    the signal gets at any other moment, never killed by it (exit -15) or a traceback."""
    code = 128 + signum if signum == signal.SIGTERM else 130
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        name = " (SIGTERM)" if signum == signal.SIGTERM else ""
        sys.stderr.write(f"unmt: interrupted{name}; run the same command again to resume\n")
        sys.stderr.flush()
    os._exit(code)


class _Parser(argparse.ArgumentParser):
    """argparse with unmt's one-line errors: ``unmt: error: PROG: what; see PROG --help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"unmt: error: {self.prog}: {message}; see `{self.prog} --help`\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Build the full parser (or, with ``only``, just that command's sub-parser)."""
    parser = _Parser(
        prog="unmt",
        description=(
            "Chinese-to-English translation, alignment and terminology scoring for "
            "United Nations documents."
        ),
    )
    parser.add_argument("--version", action="version", version=f"unmt {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        if only is not None and name != only:
            continue
        importlib.import_module(module).add_parser(sub)
    if only in (None, "bench"):
        bench = sub.add_parser("bench", help="benchmarks that print speed and memory figures")
        bench_sub = bench.add_subparsers(dest="bench", metavar="BENCH", required=True)
        for module in BENCHES.values():
            importlib.import_module(module).add_parser(bench_sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``unmt`` console script; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in args_list if not a.startswith("-")), None)
    only = first if first in COMMANDS or first == "bench" else None
    parser = build_parser(only)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # --help, --version, or a usage error (already printed)
        return int(exc.code or 0)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="unmt: %(levelname)s: %(message)s",
    )
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    main_thread = threading.current_thread() is threading.main_thread()
    _SIGTERMS.clear()
    previous = signal.signal(signal.SIGTERM, _terminated) if main_thread else None
    try:
        from unmt.pipeline.cli.options import check_io

        check_io(args)  # an output that would destroy an input: refused before any work
        return int(func(args) or 0)
    except UserError as exc:
        print(f"unmt: error: {exc.render()}", file=sys.stderr)
        return exc.exit_code
    except sqlite3.OperationalError as exc:  # the run's state or the cache on a full disk
        if not any(w in str(exc) for w in ("full", "readonly", "disk I/O error")):
            raise
        print(
            f"unmt: error: cannot write a database ({exc}); free some disk space or write the "
            "output elsewhere",
            file=sys.stderr,
        )
        return 2
    except BrokenPipeError:
        return 0
    except OSError as exc:
        # a file-system fault the user can fix (disk full, read-only, no permission) is one line
        from unmt.fileio import write_error

        error = write_error(exc, exc.filename) if exc.filename else write_error(exc, "")
        if error is not None and not exc.filename:
            error.path = None
        if error is None:
            raise
        print(f"unmt: error: {error.render()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Terminated)
        if isinstance(exc, Terminated) or _SIGTERMS:
            print(
                "unmt: interrupted (SIGTERM); run the same command again to resume",
                file=sys.stderr,
            )
            return 128 + signal.SIGTERM
        print("unmt: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    finally:
        if main_thread and argv is None:  # the process's command: it is about to exit
            signal.signal(signal.SIGTERM, _late_signal)
            signal.signal(signal.SIGINT, _late_signal)
        elif main_thread:
            signal.signal(signal.SIGTERM, previous)
