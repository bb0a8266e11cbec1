"""A PDF or .docx given to a command that reads text: one line saying what to do instead.

``unmt align`` (without ``--segment``), ``unmt score`` and ``unmt glossary check`` read text
lines or JSONL; a document file would fail there as "not UTF-8 text". :func:`refuse_document`
recognises one first, by its first bytes (``%PDF-``, ``PK\\x03\\x04``: a zip, as a .docx is) or
its suffix, and raises a :class:`UserError` whose hint is the command's own remedy. Standard
input (``-``) is not looked at: it can be read once.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from unmt.errors import UserError

#: suffix -> what the file is
_SUFFIXES = {".pdf": "a PDF", ".docx": "a .docx file", ".doc": "a Word .doc file"}
#: first bytes -> what the file is (``None``: a zip, named after its suffix)
_MAGIC = ((b"%PDF-", "a PDF"), (b"PK\x03\x04", None))


def document_kind(path: str | Path | None) -> str | None:
    """``"a PDF"``, ``"a .docx file"``, ... when ``path`` is a document rather than text, by
    its first bytes (a regular file only: a pipe is never read here) or else its suffix;
    ``None`` for text, ``-``, ``None`` and a file that is not there (its reader says so)."""
    if path is None or str(path) == "-":
        return None
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISREG(mode):
            with open(path, "rb") as fh:
                head = fh.read(5)
            for magic, kind in _MAGIC:
                if head.startswith(magic):
                    return kind or _SUFFIXES.get(Path(path).suffix.lower(), "a zip file (.docx?)")
    except OSError:  # missing or unreadable: the reader says so
        return None
    return _SUFFIXES.get(Path(path).suffix.lower())


def refuse_document(path: str | Path | None, role: str, hint: str) -> None:
    """Raise :class:`UserError` (``PATH: ROLE is a PDF, not text; HINT``) when ``path`` is a
    document (:func:`document_kind`)."""
    kind = document_kind(path)
    if kind is not None:
        raise UserError(f"{role} is {kind}, not text", path=path, hint=hint)
