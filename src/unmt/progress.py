"""Progress bars: tqdm on standard error when it is a terminal, nothing otherwise.

Commands that can take more than a few seconds (``unmt score`` on thousands of segments,
``unmt export`` of a corpus) show how far they are; piped or redirected output, tests and
``--quiet`` see nothing.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


class Progress:
    """A bar counting ``unit`` up to ``total`` (``None``: a running count with its rate)."""

    def __init__(
        self, desc: str, total: int | None = None, *, unit: str = "seg", enabled: bool = True
    ) -> None:
        self._bar: Any = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)

    def update(self, n: int = 1) -> None:
        if self._bar is not None and n:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
