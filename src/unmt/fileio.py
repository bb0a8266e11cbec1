"""Reading and writing the project's files: line files, JSONL records, atomic outputs.

Reading. Every reader of SRC/HYP/REF/MT files shares these rules:

* the file is UTF-8, with or without a byte-order mark;
* lines are split on ``\\n`` only; a final newline does not start another (empty) line, and a
  ``\\r`` ending a line (CRLF files) is dropped;
* a file is JSONL when its name ends in ``.jsonl``/``.ndjson`` or its first non-blank line is a
  JSON object; blank JSONL lines are skipped, and line numbers are always those of the file.

Bad input raises :class:`~unmt.errors.UserError` naming the file and line.

Writing. Everything is written to a temporary file (or folder) beside the destination, flushed and
fsync'ed, and renamed over the destination only when complete (``os.replace`` is atomic on
POSIX), so a failed command never leaves a partial output behind.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

from unmt.errors import UserError

JSONL_SUFFIXES = (".jsonl", ".ndjson")


#: the file argument that means standard input (or, for an output, standard output)
STDIO = "-"


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a file, or of standard input for ``-`` (read once, whole)."""
    if str(path) == STDIO:
        return sys.stdin.buffer.read()
    return Path(path).read_bytes()


def read_text(
    path: str | Path,
    *,
    not_utf8: str = "not UTF-8 text",
    hint: str = "convert the file to UTF-8",
) -> str:
    """The text of a UTF-8 file (a leading byte-order mark is dropped); ``-``: standard input.

    Args:
        path: the file, or ``-``.
        not_utf8: the start of the message when the file is not UTF-8.
        hint: what to do when the file is not UTF-8.

    Raises:
        UserError: missing file, a folder, unreadable, or not UTF-8 (with the line and the byte
            offset of the first bad byte).
    """
    try:
        raw = read_bytes(path)
    except FileNotFoundError:
        raise UserError("file not found", path=path, hint="check the path") from None
    except IsADirectoryError:
        raise UserError("is a folder, not a file", path=path) from None
    except OSError as exc:
        raise UserError(f"cannot read: {exc.strerror}", path=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(f"{not_utf8} (byte {exc.start})", path=path, line=line, hint=hint) from None


def split_lines(text: str) -> list[str]:
    """Split on ``\\n``; no empty line after a final newline; a line-ending ``\\r`` is dropped."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def read_lines(path: str | Path) -> list[str]:
    """:func:`read_text` then :func:`split_lines`."""
    return split_lines(read_text(path))


def is_jsonl(path: str | Path, lines: Sequence[str]) -> bool:
    """Whether the file is JSONL: by its suffix, or a first non-blank line that is an object."""
    if Path(path).suffix.lower() in JSONL_SUFFIXES:
        return True
    first = next((ln for ln in lines if ln.strip()), "")
    return first.lstrip().startswith("{")


def jsonl_records(
    path: str | Path,
    lines: Sequence[str],
    *,
    field: str | None = None,
    fallback: str | None = None,
    hint: str | None = None,
    bad_record: str | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of the non-blank lines, with their 1-based line numbers.

    Args:
        path: the file (for messages).
        lines: its lines (:func:`split_lines`).
        field: when given, each record must have a string under this key -- or, when the record
            lacks the key and ``fallback`` is given, under ``fallback``.
        fallback: see ``field``.
        hint: what to do, added to every message.
        bad_record: the message for an object without the field (default: "expected a JSON
            object with a string 'field' field").

    Raises:
        UserError: a line that is not JSON, not an object, or lacks the field.
    """
    if bad_record is None:
        bad_record = "expected a JSON object" + (
            "" if field is None else f" with a string {field!r} field"
        )
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(
                f"not valid JSON ({exc.msg})", path=path, line=number, hint=hint
            ) from None
        if not isinstance(record, dict):
            raise UserError(bad_record, path=path, line=number, hint=hint)
        if field is not None:
            key = fallback if fallback is not None and field not in record else field
            if not isinstance(record.get(key), str):
                raise UserError(bad_record, path=path, line=number, hint=hint)
        yield number, record


_FSYNC: contextvars.ContextVar[bool] = contextvars.ContextVar("unmt_fsync", default=True)


@contextlib.contextmanager
def hash_checked_outputs() -> Iterator[None]:
    """Inside the block, :func:`atomic_output` renames without ``fsync``.

    For writers whose every output is recorded with its sha256 and checked before it is reused
    (``unmt run``'s stage files): a file that an operating-system crash left short or empty
    fails that check and its stage is redone, so the per-file flush to disk buys nothing there
    and costs a disk round trip per file. A killed process loses nothing either way: the page
    cache outlives it. Everything else (``-o`` outputs of the commands) is always fsync'ed.
    """
    token = _FSYNC.set(False)
    try:
        yield
    finally:
        _FSYNC.reset(token)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: errno values of a write that the user can fix, with what to do
_WRITE_FIXES = {
    errno.ENOSPC: "free some disk space, or write the output elsewhere",
    errno.EDQUOT: "free some of your disk quota, or write the output elsewhere",
    errno.EFBIG: "the file is larger than this system allows: write the output elsewhere",
    errno.EROFS: "the file system is read-only: write the output elsewhere",
    errno.EACCES: "you may not write there: choose a folder you can write to",
    errno.EPERM: "you may not write there: choose a folder you can write to",
    errno.EISDIR: "give a file name, not a directory",
    errno.ENOTDIR: "a part of the path is a file, not a folder: fix the path",
    errno.ENOENT: "a folder on the path does not exist and cannot be created: fix the path",
}


class WriteError(UserError):
    """An output could not be written (disk full, read-only, no permission): exit 2. A batch
    run stops at it rather than failing every document in turn."""


def write_error(exc: OSError, path: str | Path) -> WriteError | None:
    """The user's error for an OSError while writing ``path`` (None: not one the user fixes)."""
    fix = _WRITE_FIXES.get(exc.errno or 0)
    if fix is None:
        return None
    return WriteError(f"cannot write the output ({exc.strerror})", path=path, hint=fix)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output(
    path: str | Path | None, inputs: Iterable[str | Path | None] = (), *, folder: bool = False
) -> None:
    """Refuse, before any work, an output that would destroy an input or cannot be written.

    ``path`` must not be one of ``inputs`` (the same path, a symlink to it or a hard link of
    it), an existing directory (a file output) or an existing file (``folder``), and the nearest
    existing folder above it must be writable. ``None`` or ``-`` (standard output) passes.

    Raises:
        UserError: exit 2, naming the output and what to do.
    """
    if path is None or str(path) == "-":
        return
    out = Path(path)
    for given in inputs:
        if given is None or str(given) == "-":
            continue
        inp = Path(given)
        if (
            out.resolve() == inp.resolve()
            or _same_file(out, inp)
            or (folder and out.resolve() in inp.resolve().parents)
        ):
            raise UserError(
                f"the output is also an input ({given}): writing it would destroy the input",
                path=out,
                hint="write the output to another file",
            )
    if out.is_dir() and not folder:
        raise UserError("the output is a directory", path=out, hint="give a file name")
    if folder and out.exists() and not out.is_dir():
        raise UserError("the output is a file, not a folder", path=out, hint="give a folder")
    parent = out.resolve().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UserError(
            f"cannot create the output: {parent} is a file", path=out, hint="fix the path"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(
            f"cannot write the output: {parent} is not writable",
            path=out,
            hint="choose a folder you can write to",
        )


@contextlib.contextmanager
def atomic_output(
    path: str | Path, *, mode: str = "w", encoding: str | None = "utf-8"
) -> Iterator[IO[Any]]:
    """Open ``path`` for writing through a temporary file that replaces it on success.

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    dest = Path(path)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    except OSError as exc:
        raise (write_error(exc, dest) or exc) from None
    binary = "b" in mode
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the file normal permissions
    try:
        with os.fdopen(
            fd, mode, encoding=None if binary else encoding, newline=None if binary else ""
        ) as fh:
            yield fh
            fh.flush()
            if _FSYNC.get():
                os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        error = write_error(exc, dest)
        if error is None:
            raise
        raise error from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def output_stream(path: str | Path | None) -> Iterator[IO[str]]:
    """``atomic_output(path)`` for a path, or standard output for ``None`` / ``-``."""
    if path is None or str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
    else:
        with atomic_output(path) as fh:
            yield fh


def dump_jsonl(records: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    """Write one compact JSON object per line (UTF-8, not ASCII-escaped); return the count."""
    n = 0
    for rec in records:
        fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
        fh.write("\n")
        n += 1
    return n


def write_jsonl(path: str | Path | None, records: Iterable[dict[str, Any]]) -> int:
    """Atomically write ``records`` as JSONL to ``path`` (stdout for ``None``)."""
    with output_stream(path) as fh:
        return dump_jsonl(records, fh)


R = TypeVar("R")


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """The objects of a JSONL file this tool wrote (one per non-blank line)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_records(path: str | Path, cls: type[R]) -> list[R]:
    """The typed records of a JSONL file this tool wrote: ``cls.from_json`` of every line."""
    return [cls.from_json(r) for r in read_jsonl(path)]  # type: ignore[attr-defined]


@contextlib.contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Yield an empty folder beside ``path``; on success it replaces ``path`` (files or not).

    On any exception the temporary folder is removed and ``path`` is left as it was. A
    concurrent reader sees the old folder or the new one, never half of one.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        old = None
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=dest.parent))
            os.replace(dest, old / "x")
        os.replace(tmp, dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
