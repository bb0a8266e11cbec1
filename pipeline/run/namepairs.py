"""Chinese documents paired with their English versions by file name (``unmt run DIR``).

A file's name, without its extension, says its language by a tag at its end, case-insensitive:

- the tags of the document-id rule (:func:`unmt.docid.name_and_language`): ``.zh``, ``.zh-CN``,
  ``.zh_cn``, ``.zh-Hans``, ``.en`` (``report.zh.pdf``, ``report.en.docx``; ``c.zh``/``c.en``);
- the same after ``-`` or ``_`` (``report-ZH.pdf``, ``report_EN.docx``, ``report-zh-cn.txt``);
- the letters of UN document file names, ``_C`` (Chinese) and ``_E`` (English):
  ``A_80_604_C.pdf`` and ``A_80_604_E.pdf``. A single letter can as well be an annex's
  (``part_C``, ``part_E``), so these count only where the other language's file is there too:
  ``X_E`` is English when a Chinese ``X`` (``X_C``, ``X.zh.pdf``, untagged ``X.pdf``) is in its
  folder, and ``X_C`` is Chinese when an English ``X`` is; otherwise the file is untagged.

A file without a tag is Chinese (as ``unmt run`` always took it). Two files pair when they are
in one folder and their names without extension and tag are the same, case-insensitively; the
extensions may differ (``X_C.pdf`` with ``X_E.docx``). One Chinese and one English file of a name
make a pair; more than one of either beside the other language is ambiguous, an error naming the
files. A Chinese file without an English one runs without a reference; an English file without a
Chinese one is left out. :func:`pair_by_name` does this; :meth:`NamePairs.line` says what it did.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from unmt.docid import name_and_language
from unmt.errors import UserError
from unmt.fileio import shown_path

#: ``-ZH``, ``_en``, ``-zh-CN``: a language tag after a dash or an underscore
_DASHED_TAG = re.compile(r"[-_](zh(?:[-_](?:cn|hans))?|en)$", re.IGNORECASE)
#: ``_C`` / ``_E``: the UN file-name letters, a tag only beside the other language's file
_LETTER_TAG = re.compile(r"_([ce])$", re.IGNORECASE)
#: unpaired files named in :meth:`NamePairs.line`, each kind
SHOWN = 10


@dataclass(frozen=True, slots=True)
class _Name:
    path: Path
    folder: str
    stem: str  # the name without extension and tag (the whole stem when untagged)
    lang: str | None  # "zh", "en", None when untagged
    letter: str = ""  # the name with its ``_C``/``_E`` letter, when that is its only tag

    @property
    def key(self) -> tuple[str, str]:
        return self.folder, self.stem.casefold()


def _parse(path: Path) -> _Name:
    folder = os.path.abspath(path.parent)
    stem, lang = name_and_language(path)
    if lang is None and (m := _DASHED_TAG.search(stem)) and m.start() > 0:
        stem, lang = stem[: m.start()], "en" if m.group(1).lower() == "en" else "zh"
    elif lang is None and (m := _LETTER_TAG.search(stem)) and m.start() > 0:
        lang = "en" if m.group(1).lower() == "e" else "zh"
        return _Name(path, folder, stem[: m.start()], lang, stem)
    return _Name(path, folder, stem, lang)


@dataclass
class NamePairs:
    """What :func:`pair_by_name` made: every Chinese file in input order with its English
    version (``None``: none found), and the English files without a Chinese one."""

    pairs: list[tuple[Path, Path | None]] = field(default_factory=list)
    english_alone: list[Path] = field(default_factory=list)

    @property
    def paired(self) -> int:
        return sum(1 for _, en in self.pairs if en is not None)

    def line(self) -> str:
        """One line for the user: how many pairs, and the files left unpaired."""
        text = f"paired {self.paired} Chinese document(s) with their English version by file name"
        alone = [zh for zh, en in self.pairs if en is None]
        if alone:
            text += f"; no English version, run without a reference: {_names(alone)}"
        if self.english_alone:
            text += f"; no Chinese version, left out: {_names(self.english_alone)}"
        return text


def _names(paths: list[Path]) -> str:
    shown = ", ".join(shown_path(p) for p in paths[:SHOWN])
    more = len(paths) - SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _resolve_letters(names: list[_Name]) -> list[_Name]:
    """``_C``/``_E`` tags kept only where the other language's file of that name is there;
    elsewhere the file is untagged (Chinese, named by its whole stem)."""
    zh = {n.key for n in names if n.lang != "en"}
    en = {n.key for n in names if n.lang == "en"}
    out = []
    for n in names:
        if n.letter and n.key not in (en if n.lang == "zh" else zh):
            n = _Name(n.path, n.folder, n.letter, None)
        out.append(n)
    return out


def english_files(files: Sequence[Path]) -> set[Path]:
    """The files of ``files`` that are English by name (never an error)."""
    return {n.path for n in _resolve_letters([_parse(p) for p in files]) if n.lang == "en"}


def pair_by_name(files: Sequence[Path]) -> NamePairs:
    """Pair the Chinese and English files of ``files`` by name (the module docstring's rules).

    The same file given twice counts once. Raises :class:`UserError` when a name has files of
    both languages and more than one of either, naming them.
    """
    seen: set[str] = set()
    names = []
    for path in files:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            names.append(_parse(path))
    groups: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    for i, n in enumerate(_resolve_letters(names)):
        zh, en = groups.setdefault(n.key, ([], []))
        (en if n.lang == "en" else zh).append(i)
    partner: dict[int, Path | None] = {}
    out = NamePairs()
    for zh, en in groups.values():
        if zh and en and len(zh) + len(en) > 2:
            raise UserError(
                "cannot tell which files are one document's Chinese and English versions: "
                + ", ".join(shown_path(names[i].path) for i in zh + en),
                hint="keep one Chinese and one English file of each name in a folder, or give "
                "the pairs in a --pairs manifest",
            )
        if not zh:
            out.english_alone.extend(names[i].path for i in en)
        for i in zh:
            partner[i] = names[en[0]].path if en else None
    out.pairs = [(n.path, partner[i]) for i, n in enumerate(names) if i in partner]
    return out
