"""Glossaries: the data model, the loaders and merging.

A glossary maps a simplified-Chinese term to its approved English form, other accepted English
forms (variants) and deprecated renderings (forbidden). Files are read as:

* TSV or CSV with a header row naming the Chinese and the English column (``zh``, ``zh-CN``,
  ``Chinese``, ``source``; ``en``, ``English``, ``target``) and optionally ``variants`` and
  ``forbidden`` (``|``-separated), ``id`` (or ``identifier``), ``note``, ``domain`` and
  ``zh_variants``. Lines starting with ``#`` and blank lines are skipped. The UNBIS thesaurus
  export (``identifier en zh fr es ru ar url``) is read as it is by the same rule.
* TBX (TBX-Basic 2008 ``martif`` and TBX v3 ``tbx``), see :mod:`unmt.eval.glossary.tbx`.

Several glossaries merge in order, the earlier one winning; every duplicate (same Chinese term,
same English) and conflict (same Chinese term, different English) is kept in ``issues``, and so
is any Chinese term written with traditional characters.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from unmt.errors import UserError
from unmt.fileio import read_bytes

log = logging.getLogger(__name__)

SHIPPED_NAME = "un_glossary"


@dataclass(frozen=True, slots=True)
class Entry:
    """One concept: a Chinese term and its English renderings.

    ``context`` makes an entry context-dependent: it applies, instead of the general entry of
    the same Chinese term, in a document whose source holds one of these Chinese words (大会 is
    "the Conference" where 缔约国会议 occurs, "General Assembly" elsewhere).
    """

    id: str
    zh: str
    en: str
    variants: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    note: str = ""
    domain: str = ""
    glossary: str = ""
    line: int = 0
    zh_variants: tuple[str, ...] = ()
    context: tuple[str, ...] = ()

    @property
    def accepted(self) -> tuple[str, ...]:
        """The approved English form followed by the variants."""
        return (self.en, *self.variants)

    @property
    def zh_forms(self) -> tuple[str, ...]:
        """The Chinese term followed by its other Chinese forms."""
        return (self.zh, *self.zh_variants)


@dataclass(frozen=True)
class Glossary:
    """A loaded (possibly merged) glossary; ``entries`` have unique Chinese forms."""

    name: str
    sha256: str
    entries: tuple[Entry, ...]
    members: tuple[tuple[str, str], ...] = ()
    issues: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def signature(self) -> str:
        """``name@sha256[:12]`` of each member, joined by ``+``."""
        members = self.members or ((self.name, self.sha256),)
        return "+".join(f"{name}@{sha[:12]}" for name, sha in members)


def shipped_glossary_path() -> Path:
    """Path of the UN glossary shipped with the package."""
    return Path(str(resources.files("unmt.eval").joinpath("data", f"{SHIPPED_NAME}.tsv")))


@lru_cache(maxsize=1)
def traditional_only_chars() -> frozenset[str]:
    """Characters used only in traditional Chinese (from ``data/traditional_only_chars.txt``)."""
    path = resources.files("unmt.eval").joinpath("data", "traditional_only_chars.txt")
    chars: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            chars.update(ch for ch in line if not ch.isspace())
    return frozenset(chars)


def traditional_chars_in(text: str) -> str:
    """The traditional-only characters of ``text``, in order, without repeats."""
    trad = traditional_only_chars()
    return "".join(dict.fromkeys(ch for ch in text if ch in trad))


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _is_xml(path: Path, raw: bytes) -> bool:
    """TBX by extension or content (XML carries its own encoding, UTF-16 included)."""
    if path.suffix.lower() in (".tbx", ".xml"):
        return True
    if raw.startswith(_UTF16_BOMS):
        text = raw[:400].decode("utf-16", errors="ignore").lstrip()[:20].lower()
        return text.startswith(("<?xml", "<martif", "<tbx"))
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:20].lower()
    return head.startswith((b"<?xml", b"<martif", b"<tbx"))


#: the longest term a glossary may hold (characters); UN terms are far shorter (the longest
#: convention titles are about 100), and matching automata must stay bounded
MAX_TERM_CHARS = 1000


def _check_term_lengths(entries: Iterable[Entry], path: Path) -> None:
    for e in entries:
        for form in (*e.zh_forms, *e.accepted, *e.forbidden):
            if len(form) > MAX_TERM_CHARS:
                raise UserError(
                    f"a term of {len(form):,} characters (at most {MAX_TERM_CHARS} are allowed): "
                    f"{form[:30]}...",
                    path=path,
                    line=e.line or None,
                    hint="a term is a word or phrase; fix or remove that row",
                )


def _read_bytes(path: Path) -> bytes:
    try:
        return read_bytes(path)
    except FileNotFoundError:
        raise UserError(
            "glossary file not found", path=path, hint="check the --glossary path"
        ) from None
    except IsADirectoryError:
        raise UserError("glossary path is a folder, not a file", path=path) from None
    except OSError as exc:
        raise UserError(f"cannot read glossary: {exc.strerror}", path=path) from None


def _dedupe(entries: Iterable[Entry]) -> tuple[list[Entry], list[str]]:
    """Keep the first entry for each Chinese form (and context); report later duplicates and
    conflicts. Entries of one term with different contexts are different rules, all kept."""
    kept: list[Entry] = []
    by_zh: dict[tuple[str, tuple[str, ...]], Entry] = {}
    issues: list[str] = []
    for entry in entries:
        keys = [(z, entry.context) for z in entry.zh_forms]
        clash = next((by_zh[k] for k in keys if k in by_zh), None)
        if clash is None:
            kept.append(entry)
            for k in keys:
                by_zh[k] = entry
            continue
        where = f"{entry.glossary}:{entry.line}"
        first = f"{clash.glossary}:{clash.line}"
        if clash.en.casefold() == entry.en.casefold():
            issues.append(f"{where}: duplicate of {first} ({entry.zh} = {entry.en}); dropped")
        else:
            issues.append(
                f"{where}: conflict with {first}: {entry.zh} = {entry.en!r} here, "
                f"{clash.en!r} there; kept {clash.en!r}"
            )
    return kept, issues


def _traditional_issues(entries: Iterable[Entry]) -> list[str]:
    issues = []
    for entry in entries:
        trad = traditional_chars_in("".join(entry.zh_forms))
        if trad:
            issues.append(
                f"{entry.glossary}:{entry.line}: entry {entry.id} ({entry.zh}) uses traditional "
                f"characters {' '.join(trad)}; glossaries should be in simplified Chinese"
            )
    return issues


def load_glossary(path: str | Path) -> Glossary:
    """Load one glossary file (TSV, CSV, TBX or the UNBIS thesaurus TSV).

    Raises:
        UserError: the file is missing, not UTF-8, malformed (with its line), or has no usable row.
    """
    path = Path(path)
    raw = _read_bytes(path)
    name = path.stem
    if _is_xml(path, raw):
        from unmt.eval.glossary.tbx import parse_tbx

        entries, issues = parse_tbx(path, raw, name)
    else:
        from unmt.eval.glossary.delimited import decode, parse_delimited, sniff_kind

        text = decode(path, raw)
        entries, issues = parse_delimited(path, text, sniff_kind(path, text), name)
    if not entries:
        raise UserError(
            "glossary has no usable rows (each needs a Chinese and an English term)", path=path
        )
    _check_term_lengths(entries, path)
    kept, dup_issues = _dedupe(entries)
    issues += dup_issues + _traditional_issues(kept)
    sha = hashlib.sha256(raw).hexdigest()
    log.debug("glossary %s: %d entries, %d issues", name, len(kept), len(issues))
    return Glossary(name, sha, tuple(kept), ((name, sha),), tuple(issues))


def merge_glossaries(glossaries: Sequence[Glossary]) -> Glossary:
    """Merge loaded glossaries in order; the earlier wins on the same Chinese term."""
    if not glossaries:
        raise ValueError("nothing to merge")
    if len(glossaries) == 1:
        return glossaries[0]
    members = tuple(m for g in glossaries for m in (g.members or ((g.name, g.sha256),)))
    kept, issues = _dedupe(e for g in glossaries for e in g.entries)
    digest = hashlib.sha256("\n".join(sorted(sha for _, sha in members)).encode()).hexdigest()
    all_issues = tuple(i for g in glossaries for i in g.issues) + tuple(issues)
    return Glossary("+".join(g.name for g in glossaries), digest, tuple(kept), members, all_issues)


#: what names the shipped glossary wherever a glossary file is asked for (``--glossary un``)
SHIPPED_ALIAS = "un"


def glossary_paths(paths: Sequence[str | Path], *, default: bool = True) -> list[Path]:
    """The glossary files to load, in order (earlier wins on the same Chinese term).

    Each of ``paths`` as given, ``un`` standing for the shipped UN glossary (a file of that
    name in the working folder is taken as a file); then the shipped glossary, unless
    ``default`` is false or it is listed already: a glossary of one's own adds to the UN
    terminology instead of replacing it (``--no-default-glossary`` to replace it).
    """
    shipped = shipped_glossary_path()
    out: list[Path] = []
    for p in paths:
        path = shipped if str(p) == SHIPPED_ALIAS and not Path(p).exists() else Path(p)
        if path not in out:
            out.append(path)
    if default and shipped not in out:
        out.append(shipped)
    if not out:
        raise UserError(
            "no glossary: --no-default-glossary leaves out the shipped one and none was given",
            hint="give one with --glossary FILE",
        )
    return out


def load_glossaries(paths: Sequence[str | Path], *, default: bool = False) -> Glossary:
    """Load and merge ``paths`` in order (earlier wins); ``un`` is the shipped UN glossary, and
    no paths means it too. With ``default`` the shipped glossary is added after ``paths``
    (:func:`glossary_paths`)."""
    files = glossary_paths(paths, default=default or not paths)
    return merge_glossaries([load_glossary(p) for p in files])
