"""The unmt cache folder and the file lock that serialises work inside it.

Models (the tiny test model, CTranslate2 conversions), the translation cache and the parsed
CC-CEDICT dictionary all live under :func:`cache_root`; a process that builds something there
holds :func:`file_lock` on a lock file beside it, so two processes never build it twice or read
half of it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


def cache_root() -> Path:
    """The unmt cache folder: ``$UNMT_CACHE_DIR`` if set, else the user cache dir for ``unmt``."""
    env = os.environ.get("UNMT_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("unmt"))


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` (created), held for the ``with`` block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
