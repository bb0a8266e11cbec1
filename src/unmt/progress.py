"""Progress bars: tqdm on standard error when it is a terminal, nothing otherwise.

Commands that can take more than a few seconds (``unmt run``'s translation, ``unmt score`` on
thousands of segments, ``unmt export`` of a corpus) show how far they are; piped or redirected
output, tests and ``--quiet`` see nothing.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


class Progress:
    """A bar counting ``unit`` up to ``total`` (``None``: a running count with its rate).

    The bar appears with the first step (or a known total); :meth:`extend` raises the total
    as more work becomes known (``unmt run``: the next chunk of documents).
    """

    def __init__(
        self,
        desc: str,
        total: int | None = None,
        *,
        unit: str = "seg",
        enabled: bool = True,
        leave: bool = False,
    ) -> None:
        self.n = 0
        self.total = total
        self._desc, self._unit, self._leave = desc, unit, leave
        self._enabled = enabled and sys.stderr.isatty()
        self._bar: Any = None
        if self.total:
            self._open()

    def _open(self) -> None:
        if self._bar is None and self._enabled:
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.total, desc=self._desc, unit=self._unit, file=sys.stderr,
                leave=self._leave, initial=self.n,
            )  # fmt: skip

    def update(self, n: int = 1) -> None:
        if not n:
            return
        self.n += n
        if self._bar is None:
            self._open()  # starts at self.n
        else:
            self._bar.update(n)

    def extend(self, n: int) -> None:
        """Count ``n`` more to come."""
        self.total = (self.total or 0) + n
        if self._bar is None:
            if self.total:
                self._open()
        else:
            self._bar.total = self.total
            self._bar.refresh()

    def catch_up(self, target: int) -> None:
        """Move to ``target`` (work skipped as already done)."""
        if target > self.n:
            self.update(target - self.n)

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
