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


def name_and_language(path: str | Path) -> tuple[str, str | None]:
    """A file's name without its extension and language tag (rules 1-3 of the module
    docstring), and the tag's language: ``zh``, ``en``, or ``None`` when there is no tag.

    ``un-report.zh.txt`` -> ``("un-report", "zh")``; a tag that is itself the extension counts
    too: ``UNv1.0.devset.en`` -> ``("UNv1.0.devset", "en")``; ``报告.txt`` -> ``("报告", None)``.
    """
    name = unicodedata.normalize("NFC", Path(path).name)
    bare = _EXTENSION.sub("", name)
    tag = _LANG_TAG.search(bare)
    if tag is None:  # ``c.en``: the extension that was dropped is the tag
        tag = _LANG_TAG.search(name)
        if tag is None or name[: tag.start()] != bare:
            return bare, None
    lang = "en" if tag.group(1).lower() == "en" else "zh"
    return bare[: tag.start()], lang


def doc_id_from_path(path: str | Path) -> str:
    """The document id of a file (the module docstring gives the rule); ``stdin`` for ``-``."""
    if str(path) == "-":
        return "stdin"
    return clean_doc_id(name_and_language(path)[0])
