"""The one rule for finding the shared benchmark data (``../shared/data``).

``$UNMT_SHARED_DATA`` when set; otherwise the ``shared/data`` folder beside the repository that
holds this checkout (``<repo>/../shared/data``), then ``../shared/data`` from the working folder.
Benchmarks fall back to their own generated data when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

#: the repository root of a source checkout (pipeline/bench/data.py -> the repo)
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def shared_data() -> Path:
    """The shared data folder (it may not exist: check the files you need)."""
    env = os.environ.get("UNMT_SHARED_DATA")
    if env:
        return Path(env)
    beside = REPO.parent / "shared" / "data"
    if beside.is_dir():
        return beside
    return Path("..") / "shared" / "data"


def shared_file(rel: str) -> Path:
    """A path under :func:`shared_data`."""
    return shared_data() / rel
