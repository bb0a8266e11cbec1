"""The run lock: one ``unmt run`` at a time in a run directory.

The lock is the operating system's (``flock`` on ``RUN_DIR/run.lock``), so it dies with its
process: a lock left by a killed run is simply taken over. The file names its holder, which a
second run prints when it is refused.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from unmt.errors import UserError

LOCK_FILE = "run.lock"


class RunLock:
    """The exclusive lock of one run directory (``run.lock``), held while a run works in it."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / LOCK_FILE
        self._fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
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
