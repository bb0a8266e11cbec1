"""The one rule that names a document after its file, used by every command.

``unmt segment``, ``unmt align --segment`` and ``unmt run`` all call :func:`doc_id_from_path`, so
the same file gets the same segment ids (``<doc>:p8.s3``) everywhere:

1. take the file name (Unicode NFC);
2. drop its extension when it has one (a last suffix of a letter and up to four letters or
   digits: ``.txt``, ``.docx``, ``.pdf``; ``E-CN.15-2021-5`` keeps its dotted parts);
3. drop a language tag that is then last (``.zh``, ``.zh-cn``, ``.zh_cn``, ``.zh-hans``, ``.en``);
4. :func:`clean_doc_id`: every run of characters other than letters, digits, ``.``, ``_`` and
   ``-`` becomes ``_``, and leading or trailing ``.``/``_``/``-`` are dropped (``doc`` if nothing
   is left).

So ``un-report.zh.txt`` and ``un-report.en.txt`` are both ``un-report``, ``报告 2021.txt`` is
``报告_2021``, and ``E-CN.15-2021-5.zh.txt`` is ``E-CN.15-2021-5``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$")
_LANG_TAG = re.compile(r"\.(zh|zh[-_]cn|zh[-_]hans|en)$", re.IGNORECASE)
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def clean_doc_id(name: str) -> str:
    """``name`` made usable as a document id and a folder name (rule 4 of the module docstring)."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip("._-")
    return cleaned or "doc"


def doc_id_from_path(path: str | Path) -> str:
    """The document id of a file (the module docstring gives the rule); ``stdin`` for ``-``."""
    if str(path) == "-":
        return "stdin"
    name = unicodedata.normalize("NFC", Path(path).name)
    name = _EXTENSION.sub("", name)
    name = _LANG_TAG.sub("", name)
    return clean_doc_id(name)
