"""Writing output files so that a failed run never leaves a partial file behind.

Everything is written to a temporary file in the destination folder, flushed and fsync'ed, and
renamed over the destination only when complete (``os.replace`` is atomic on POSIX).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_output(
    path: str | Path, *, mode: str = "w", encoding: str | None = "utf-8"
) -> Iterator[IO[Any]]:
    """Open ``path`` for writing through a temporary file that replaces it on success.

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    binary = "b" in mode
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the file normal permissions
    try:
        with os.fdopen(
            fd, mode, encoding=None if binary else encoding, newline=None if binary else ""
        ) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
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
