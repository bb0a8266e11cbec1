"""The run lock: one ``unmt run`` at a time in a run directory.

The lock is the operating system's (``flock`` on ``RUN_DIR/run.lock``), so it dies with its
process: a lock left by a killed run is simply taken over. The file names its holder, which a
second run prints when it is refused.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from pathlib import Path

from unmt.errors import UserError

LOCK_FILE = "run.lock"


class RunLock:
    """The exclusive lock of one run directory (``run.lock``), held while a run works in it."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / LOCK_FILE
        try:  # never through a symbolic link: the lock file is written
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            raise UserError(
                f"{LOCK_FILE} is a symbolic link; the run lock is never written through one",
                path=run_dir,
                hint=f"remove {self.path} (it is not unmt's) and run again",
            ) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise UserError(
                f"{LOCK_FILE} is not a regular file",
                path=run_dir,
                hint=f"remove {self.path} (it is not unmt's) and run again",
            )
        self._fh = os.fdopen(fd, "r+", encoding="utf-8")
        try:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._fh.seek(0)
            holder = self._fh.read().strip() or "another process"
            self._fh.close()
            raise UserError(
                f"the run directory is in use by {holder}",
                path=run_dir,
                hint="wait for that run to finish or stop it; two runs on one directory "
                "would translate every segment twice",
            ) from None
        self._fh.seek(0)
        self._fh.truncate()
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        self._fh.write(f"process {os.getpid()} (unmt run, started {stamp})\n")
        self._fh.flush()

    def release(self) -> None:
        if not self._fh.closed:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
