"""The harness of the hostile tables: run one command in-process against a folder, and check
what issue 23 asks of every case.

A case ends with one of the exit codes it allows, never a traceback or an escaping exception;
exit 2 prints exactly one ``unmt: error:`` line; and every entry of the folder that was there
before is as it was (a file's bytes by sha256; a symbolic link's target; a FIFO, device or
socket stays what it was), except the paths the case is allowed to change (its output).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from unmt.pipeline.cli.main import main


def entry_state(path: Path) -> tuple[str, str]:
    """What an entry is, without following a link: ``(kind, detail)``."""
    st = os.lstat(path)
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return "link", os.readlink(path)
    if stat.S_ISREG(mode):
        return "file", hashlib.sha256(path.read_bytes()).hexdigest()
    if stat.S_ISDIR(mode):
        return "dir", ""
    if stat.S_ISFIFO(mode):
        return "fifo", ""
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device", f"{stat.S_IFMT(mode)}:{st.st_rdev}"
    return "other", str(stat.S_IFMT(mode))


def snapshot(root: Path, skip: tuple[str, ...] = ()) -> dict[str, tuple[str, str]]:
    """Every entry under ``root`` (links not followed), by relative path."""
    out: dict[str, tuple[str, str]] = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if rel.startswith(skip):
                continue
            out[rel] = entry_state(path)
    return out


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    crash: str = ""


def run_main(argv: list[str]) -> Outcome:
    """``unmt ARGV`` in this process; an escaping exception is a crash."""
    err, out = io.StringIO(), io.StringIO()
    try:
        with redirect_stderr(err), redirect_stdout(out):
            code = main(argv)
    except BaseException as exc:  # any escape is a crash of the command
        return Outcome(-1, out.getvalue(), err.getvalue(), f"{type(exc).__name__}: {exc}")
    crash = "Traceback" if "Traceback" in err.getvalue() else ""
    return Outcome(code, out.getvalue(), err.getvalue(), crash)


@dataclass
class Case:
    """One hostile case.

    Attributes:
        name: shown in failures.
        argv: the command line (run in the case's folder).
        codes: the exit codes it may end with.
        setup: makes the hostile state in the folder (after the common files).
        changes: paths (relative, prefixes) the command may change or create; everything else
            that was there must stay as it was.
        check: a further check on the folder after the command.
    """

    name: str
    argv: list[str]
    codes: tuple[int, ...]
    setup: Callable[[Path], None] | None = None
    changes: tuple[str, ...] = ()
    check: Callable[[Path, Outcome], None] | None = None
    keep: tuple[str, ...] = field(default=())


@contextlib.contextmanager
def fifo_reader(path: Path) -> Iterator[list[bytes]]:
    """Read a FIFO in a thread while the block runs; yields the chunks read. The reader is
    released at the end even when nothing opened the FIFO for writing."""
    chunks: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as fh:
            while chunk := fh.read(65536):
                chunks.append(chunk)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        yield chunks
    finally:
        with contextlib.suppress(OSError):  # a writer that never came: end the reader's wait
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        thread.join(10)


def problems_of(case: Case, root: Path, outcome: Outcome, before: dict) -> list[str]:
    """What the case did wrong (empty: nothing)."""
    found = []
    if outcome.crash or outcome.code not in case.codes:
        tail = outcome.err[-400:].replace("\n", " | ")
        found.append(f"exit {outcome.code} (allowed {case.codes}) {outcome.crash} {tail}")
    if outcome.code == 2:
        lines = [ln for ln in outcome.err.splitlines() if ln.startswith("unmt: error")]
        if len(lines) != 1:
            found.append(f"exit 2 without exactly one error line: {outcome.err[-400:]!r}")
    after = snapshot(root)
    changed = [
        rel
        for rel, state in before.items()
        if after.get(rel) != state and not rel.startswith(case.changes or ("\0",))
    ]
    if changed:
        found.append(f"changed what it may not: {changed[:5]}")
    if case.check is not None:
        try:
            case.check(root, outcome)
        except AssertionError as exc:
            found.append(f"check failed: {exc}")
    return [f"{case.name}: {p}" for p in found]


def is_root() -> bool:
    return os.geteuid() == 0


def run_table(
    label: str,
    cases: list[Case],
    tmp_path: Path,
    common: Callable[[Path], None],
    monkeypatch: object,
) -> dict[str, int]:
    """Run every case in a folder of its own (``common`` files, then its setup), print the
    totals, and return them; fails with every problem found. ``UNMT_HOSTILE_TRACE=1`` prints
    each case's name before it runs."""
    totals = {"cases": 0, "exit 0": 0, "exit 1": 0, "exit 2": 0, "other": 0, "problems": 0}
    problems: list[str] = []
    for i, case in enumerate(cases):
        root = tmp_path / f"c{i}"
        root.mkdir()
        common(root)
        if case.setup is not None:
            case.setup(root)
        monkeypatch.chdir(root)  # type: ignore[attr-defined]
        before = snapshot(root)
        if os.environ.get("UNMT_HOSTILE_TRACE"):
            print(case.name, flush=True)
        if case.keep:  # a FIFO at the output: read what is written to it
            with fifo_reader(root / case.keep[0]) as chunks:
                outcome = run_main(case.argv)
            if outcome.code == 0 and not chunks:
                problems.append(f"{case.name}: nothing reached the FIFO's reader")
        else:
            outcome = run_main(case.argv)
        found = problems_of(case, root, outcome, before)
        problems += found
        totals["cases"] += 1
        totals["problems"] += bool(found)
        totals[f"exit {outcome.code}" if outcome.code in (0, 1, 2) else "other"] += 1
    print(f"\nhostile {label}:", ", ".join(f"{k} {v}" for k, v in totals.items()))
    assert problems == [], "\n".join(problems)
    return totals


def finish_run(base: Path, tiny: Path, zh: str, en: str, *extra: str) -> Path:
    """``unmt run ZH --reference EN -o base/run`` with the tiny model (``extra`` flags too):
    a finished run directory for the cases that start from one."""
    run_dir = base / "run"
    argv = ["run", str(base / zh), "--reference", str(base / en), *extra, "-o", str(run_dir),
            "--model", str(tiny), "--quiet"]  # fmt: skip
    assert run_main(argv).code == 0
    return run_dir
