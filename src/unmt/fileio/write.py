"""Writing outputs: one rule for every file unmt writes.

A path the user named (``-o FILE``, a report):

* missing, or a regular file: written to a temporary file beside it, flushed, fsync'ed and
  renamed over it only when complete (``os.replace`` is atomic on POSIX), so a failed command
  leaves it as it was;
* a symbolic link: the same for the file it points to; the link stays a link;
* a character device or a FIFO (``/dev/null``, ``/dev/stdout``, a named pipe): written into
  directly, like a shell redirection; never renamed over, truncated or removed;
* a folder, a block device or a socket: refused before any work (:func:`check_output`).

A file unmt names itself inside a folder it owns (a run directory, an export, a model folder;
:mod:`unmt.fileio.folders`) is always replaced as a file: a link or a special file put there is
replaced, never followed. Inside :func:`staging_folder`, temporary files go into that folder (a
run directory's own ``.staging``), the one place a later run may clear.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from unmt.errors import UserError
from unmt.fileio.read import real_path

_FSYNC: contextvars.ContextVar[bool] = contextvars.ContextVar("unmt_fsync", default=True)
_STAGING: contextvars.ContextVar[Path | None] = contextvars.ContextVar("unmt_staging", default=None)


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


@contextlib.contextmanager
def staging_folder(folder: Path) -> Iterator[Path]:
    """Inside the block, :func:`atomic_output` makes its temporary files in ``folder``
    (created; it must be on the file system of every destination). Yields ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    token = _STAGING.set(folder)
    try:
        yield folder
    finally:
        _STAGING.reset(token)


def umask() -> int:
    """The process's file-creation mask."""
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
    errno.ELOOP: "a symbolic link on the path points in a loop: fix the path",
    errno.ENAMETOOLONG: "the path is too long: choose a shorter name",
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


#: how an output path the user named is written (see the module docstring)
REPLACE, STREAM = "replace", "stream"


def output_target(path: str | Path) -> tuple[Path, str]:
    """Where and how a path the user named is written: ``(the file to replace, REPLACE)``
    (through a symbolic link to its target) or ``(path, STREAM)`` for a character device or a
    FIFO.

    Raises:
        UserError: a folder, a block device, a socket, a symbolic link loop, or a path that
            ends with ``/`` (a folder's name where a file's is wanted).
    """
    dest = Path(path)
    if str(path).endswith(os.sep):
        raise UserError(
            "the output names a folder (it ends with /)", path=path, hint="give a file name"
        )
    try:
        mode = os.stat(dest).st_mode  # through symbolic links
    except FileNotFoundError:  # missing, or a link to a missing file: a shell would create it
        return Path(os.path.realpath(dest)), REPLACE
    except OSError as exc:
        raise UserError(
            f"cannot use the output path ({exc.strerror})",
            path=path,
            hint=_WRITE_FIXES.get(exc.errno or 0, "fix the path"),
        ) from None
    if stat.S_ISREG(mode):
        return Path(os.path.realpath(dest)), REPLACE
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return dest, STREAM
    what = "a directory" if stat.S_ISDIR(mode) else (
        "a block device" if stat.S_ISBLK(mode) else "a socket or other special file"
    )  # fmt: skip
    raise UserError(
        f"the output is {what}; unmt writes files, character devices and named pipes only",
        path=path,
        hint="give a file name",
    )


@contextlib.contextmanager
def _stream(dest: Path, mode: str, encoding: str | None) -> Iterator[IO[Any]]:
    """Write into a character device or FIFO as it is: no temporary file, no truncation."""
    try:
        fd = os.open(dest, os.O_WRONLY | os.O_NOCTTY)
    except OSError as exc:
        raise (write_error(exc, dest) or exc) from None
    binary = "b" in mode
    try:
        with os.fdopen(
            fd, "wb" if binary else "w", encoding=None if binary else encoding,
            newline=None if binary else "",
        ) as fh:  # fmt: skip
            yield fh
            fh.flush()
    except OSError as exc:
        error = write_error(exc, dest)
        if error is None:
            raise
        raise error from None


@contextlib.contextmanager
def atomic_output(
    path: str | Path,
    *,
    mode: str = "w",
    encoding: str | None = "utf-8",
    named: bool = False,
) -> Iterator[IO[Any]]:
    """Open ``path`` for writing through a temporary file that replaces it on success.

    On any exception the temporary file is removed and ``path`` is left as it was.

    Args:
        path: the destination.
        mode: ``w`` (text) or ``wb``.
        encoding: of a text file.
        named: the user named this path (``-o``): a symbolic link is written through, a
            character device or FIFO is written into directly (:func:`output_target`). Without
            it, ``path`` is one of unmt's own files and whatever is there is replaced.
    """
    dest = Path(path)
    if named:
        dest, how = output_target(path)  # the text as given: Path() drops a final "/"
        if how == STREAM:
            with _stream(dest, mode, encoding) as fh:
                yield fh
            return
    staging = _STAGING.get()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{dest.name[:200]}.",
            suffix=".part",
            dir=dest.parent if staging is None or named else staging,
        )
    except OSError as exc:
        raise (write_error(exc, dest) or exc) from None
    binary = "b" in mode
    os.chmod(tmp, 0o666 & ~umask())  # mkstemp creates 0600; give the file normal permissions
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


#: the file argument that means standard output
STDOUT = "-"


@contextlib.contextmanager
def output_stream(path: str | Path | None) -> Iterator[IO[str]]:
    """``atomic_output(path, named=True)`` for a path, or standard output for ``None``/``-``."""
    if path is None or str(path) == STDOUT:
        yield sys.stdout
        sys.stdout.flush()
    else:
        with atomic_output(path, named=True) as fh:
            yield fh


def dump_jsonl(records: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    """Write one compact JSON object per line (UTF-8, not ASCII-escaped); return the count."""
    n = 0
    for rec in records:
        fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
        fh.write("\n")
        n += 1
    return n


def write_jsonl(
    path: str | Path | None, records: Iterable[dict[str, Any]], *, named: bool = False
) -> int:
    """Atomically write ``records`` as JSONL to ``path`` (stdout for ``None``; ``named``: a
    path the user gave, see :func:`atomic_output`)."""
    if path is None or str(path) == STDOUT or named:
        with output_stream(path) as fh:
            return dump_jsonl(records, fh)
    with atomic_output(path) as fh:
        return dump_jsonl(records, fh)


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
    it), nor hold one (``folder``); a file output must be a path :func:`output_target` takes,
    a folder output must not be a file; and the nearest existing folder above it must be
    writable (a device or named pipe is written as it is). ``None`` or ``-`` (standard
    output) passes.

    Raises:
        UserError: exit 2, naming the output and what to do.
    """
    if path is None or str(path) == STDOUT:
        return
    out = Path(path)
    for given in inputs:
        if given is None or str(given) == "-":
            continue
        inp = Path(given)
        if (
            real_path(out) == real_path(inp)
            or _same_file(out, inp)
            or (folder and real_path(out) in real_path(inp).parents)
        ):
            raise UserError(
                f"the output is also an input ({given}): writing it would destroy the input",
                path=out,
                hint="write the output to another file",
            )
    if folder:
        if out.exists() and not out.is_dir():
            raise UserError("the output is a file, not a folder", path=out, hint="give a folder")
        parent = real_path(out)
    else:
        target, how = output_target(path)
        if how == STREAM:
            return
        parent = target.parent
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
