"""Errors a user can act on.

Any :class:`UserError` raised below the CLI is printed as one line (``unmt: error: ...``) and
ends the process with exit code 2. The message should say which file (and line, where there is
one), what is wrong, and what to do about it.
"""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """Bad input or a bad setting: reported as one clear line, exit code 2."""

    exit_code = 2

    def __init__(
        self,
        what: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.what = what
        self.path = None if path is None else str(path)
        self.line = line
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """The one-line message: ``path:line: what (hint)``."""
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        text = f"{where}{self.what}"
        if self.hint:
            text += f"; {self.hint}"
        return text
