"""Word's automatic numbering: the number a .docx paragraph displays, which is not in its text.

A paragraph is numbered by a ``w:numPr`` (``w:numId`` + ``w:ilvl``), its own or its style's
(``word/styles.xml``, following ``w:basedOn``; a numbering level may name the style it belongs
to in ``w:pStyle``). ``w:numId`` names a ``w:num`` of ``word/numbering.xml``, which names an
abstract definition (``w:abstractNumId``; or, through ``w:numStyleLink``, a numbering style's
list) and may override its levels (``w:lvlOverride``: a ``w:startOverride``, or a whole
``w:lvl``). A level has a start value, a number format (:mod:`unmt.pipeline.segment.numfmt`)
and a label text such as ``%1.``, ``(%2)``, ``%1.%2`` or ``%1、`` (``%n``: level n's number).

The counters run as in Word: one per level of an *abstract* definition (every ``w:num`` of one
abstract definition continues the same list), a ``w:num`` with a start override restarting
those levels where it first numbers a paragraph; a level starts again when a higher level
advances, unless its ``w:lvlRestart`` says after which level it restarts (0: never). A legal
level (``w:isLgl``) shows every number in decimal. ``numId`` 0 takes a style's numbering off.

Everything here is pure functions over parsed XML (lxml elements of the hardened parser of
:mod:`unmt.pipeline.segment.docxfile`). What Word would not display (a ``numId`` that does not
exist, a level out of 0-8, a ``w:basedOn`` cycle, a start beyond :data:`MAX_START`, a label
text longer than :data:`MAX_LABEL_TEXT`, a number longer than :data:`MAX_LABEL`) leaves the
paragraph without a number and is said in :attr:`Numbering.warnings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from unmt.pipeline.segment.docxstyle import Styles, W, val
from unmt.pipeline.segment.numfmt import KNOWN, format_number

#: the largest start value Word accepts (its dialogs stop at 32767); larger is hostile
MAX_START = 32767
#: the longest ``w:lvlText`` read (Word's are a few characters)
MAX_LABEL_TEXT = 64
#: the longest list number shown (``13.1.2.4``, ``(aaa)``; longer: none, with a warning)
MAX_LABEL = 32
_LEVELS = 9
_PLACE = re.compile(r"%([1-9])")
_MAX_WARNINGS = 20


@dataclass(frozen=True, slots=True)
class Level:
    """One level of a numbering definition."""

    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # w:lvlRestart (None: after any higher level; 0: never)
    legal: bool = False
    suffix: str = "tab"
    style: str = ""


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass(slots=True)
class Numbering:
    """The numbering definitions of a document and where its lists stand.

    Build it with :func:`numbering_of`; :meth:`label` numbers paragraphs in document order.
    """

    styles: Styles
    abstracts: dict[int, dict[int, Level]] = field(default_factory=dict)
    links: dict[int, str] = field(default_factory=dict)  # abstract -> numbering style
    nums: dict[int, int] = field(default_factory=dict)  # numId -> abstractNumId
    overrides: dict[int, dict[int, tuple[int | None, Level | None]]] = field(default_factory=dict)
    counters: dict[int, list[int | None]] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    def warn(self, what: str) -> None:
        if what not in self.warnings and len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append(what)

    # -- definitions ------------------------------------------------------------------------
    def _abstract_of(self, num_id: int) -> int | None:
        """The abstract definition of a ``w:num``, through numbering-style links."""
        aid = self.nums.get(num_id)
        hops = 0
        while aid is not None and aid in self.links and hops < 4:
            linked = self.styles.numbering_style_num(self.links[aid])
            if linked is None or linked not in self.nums:
                break
            aid, hops = self.nums[linked], hops + 1
        return aid if aid in self.abstracts else None

    def level(self, num_id: int, ilvl: int) -> Level | None:
        aid = self._abstract_of(num_id)
        if aid is None:
            return None
        override = self.overrides.get(num_id, {}).get(ilvl, (None, None))[1]
        return override or self.abstracts[aid].get(ilvl)

    def _start(self, num_id: int, ilvl: int) -> int:
        start = self.overrides.get(num_id, {}).get(ilvl, (None, None))[0]
        if start is not None:
            return start
        lvl = self.level(num_id, ilvl)
        return lvl.start if lvl else 1

    # -- numbering a paragraph --------------------------------------------------------------
    def resolve(self, ppr: Any, style_id: str) -> tuple[int, int] | None:
        """A paragraph's (numId, level): its own ``w:numPr``, else its style's; None if none."""
        direct = ppr.find(f"{W}numPr") if ppr is not None else None
        num_id = _int(val(direct, "numId")) if direct is not None else None
        ilvl = _int(val(direct, "ilvl")) if direct is not None else None
        if num_id is None:
            num_id, style_ilvl = self.styles.numbering(style_id)
            ilvl = style_ilvl if ilvl is None else ilvl
            if num_id is not None and ilvl is None:  # the level that names this style
                ilvl = self._level_of_style(num_id, style_id)
        if not num_id:  # none, or 0: numbering taken off
            return None
        if ilvl is None:
            ilvl = 0
        if not 0 <= ilvl < _LEVELS:
            self.warn(f"a paragraph's numbering level {ilvl} is not 0-8 (no number shown)")
            return None
        if self._abstract_of(num_id) is None:
            self.warn(f"the list numId {num_id} is not in numbering.xml (no number shown)")
            return None
        return num_id, ilvl

    def _level_of_style(self, num_id: int, style_id: str) -> int:
        aid = self._abstract_of(num_id)
        levels = self.abstracts.get(aid, {}) if aid is not None else {}
        return next((k for k, lvl in sorted(levels.items()) if lvl.style == style_id), 0)

    def label(self, ppr: Any, style_id: str) -> tuple[str, str] | None:
        """Advance the counters for one paragraph and return its label as Word displays it
        and its suffix (``tab``, ``space`` or ``nothing``); None when it has no number (a
        bullet's label is ``""``)."""
        found = self.resolve(ppr, style_id)
        if found is None:
            return None
        num_id, ilvl = found
        lvl = self.level(num_id, ilvl)
        if lvl is None:
            self.warn(f"the list numId {num_id} has no level {ilvl} (no number shown)")
            return None
        aid = self._abstract_of(num_id)
        assert aid is not None
        counters = self.counters.setdefault(aid, [None] * _LEVELS)
        if num_id not in self.seen:  # a start override restarts the shared list here
            self.seen.add(num_id)
            for k, (start, _) in self.overrides.get(num_id, {}).items():
                if start is not None:
                    counters[k] = None
        current = counters[ilvl]
        counters[ilvl] = self._start(num_id, ilvl) if current is None else current + 1
        for k in range(ilvl + 1, _LEVELS):
            deeper = self.level(num_id, k)
            restart = deeper.restart if deeper else None
            if restart is None or restart > k or ilvl < restart:
                counters[k] = None
        if lvl.fmt == "bullet":
            return "", lvl.suffix
        text = self._text(num_id, ilvl, lvl, counters)
        if len(text) > MAX_LABEL:
            self.warn(f"a list number is {len(text):,} characters long (not shown)")
            return None
        return text, lvl.suffix

    def _text(self, num_id: int, ilvl: int, lvl: Level, counters: list[int | None]) -> str:
        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            if k > ilvl:
                return ""
            value = counters[k]
            value = self._start(num_id, k) if value is None else value
            other = self.level(num_id, k)
            fmt = "decimal" if lvl.legal else (other.fmt if other else "decimal")
            if fmt not in KNOWN and fmt != "bullet":
                self.warn(f"the number format {fmt!r} is shown as decimal numbers")
            return "" if fmt == "bullet" else format_number(value, fmt)

        return _PLACE.sub(number, lvl.text)


def _level(el: Any, warn: Any) -> Level | None:
    given = val(el, "start")
    start = _int(given) if given is not None else 1
    if start is None or not 0 <= start <= MAX_START:
        warn(f"a numbering level starts at {given!r} (0-{MAX_START} are read; ignored)")
        return None
    text = val(el, "lvlText") or ""
    if len(text) > MAX_LABEL_TEXT:
        warn(f"a numbering level's label text is {len(text):,} characters long (ignored)")
        return None
    legal = el.find(f"{W}isLgl")
    return Level(
        start=start,
        fmt=val(el, "numFmt") or "decimal",
        text=text,
        restart=_int(val(el, "lvlRestart")),
        legal=legal is not None and legal.get(f"{W}val", "1") not in ("0", "false", "off"),
        suffix=val(el, "suff") or "tab",
        style=val(el, "pStyle") or "",
    )


def _levels(parent: Any, warn: Any) -> dict[int, Level]:
    levels: dict[int, Level] = {}
    for el in parent.findall(f"{W}lvl"):
        ilvl = _int(el.get(f"{W}ilvl"))
        if ilvl is None or not 0 <= ilvl < _LEVELS:
            warn(f"a numbering level {el.get(f'{W}ilvl')!r} is not 0-8 (ignored)")
            continue
        lvl = _level(el, warn)
        if lvl is not None:
            levels[ilvl] = lvl
    return levels


def numbering_of(root: Any | None, styles: Styles) -> Numbering:
    """The numbering of a document: ``root`` is ``word/numbering.xml``'s root (None: none)."""
    numbering = Numbering(styles)
    if root is None:
        return numbering
    warn = numbering.warn
    for el in root.findall(f"{W}abstractNum"):
        aid = _int(el.get(f"{W}abstractNumId"))
        if aid is None:
            warn("an abstract numbering definition has no number (ignored)")
            continue
        numbering.abstracts[aid] = _levels(el, warn)
        link = val(el, "numStyleLink")
        if link:
            numbering.links[aid] = link
    for el in root.findall(f"{W}num"):
        num_id, aid = _int(el.get(f"{W}numId")), _int(val(el, "abstractNumId"))
        if num_id is None or aid is None:
            warn("a list (w:num) without a numId or abstractNumId (ignored)")
            continue
        numbering.nums[num_id] = aid
        for override in el.findall(f"{W}lvlOverride"):
            ilvl = _int(override.get(f"{W}ilvl"))
            if ilvl is None or not 0 <= ilvl < _LEVELS:
                warn(f"a level override {override.get(f'{W}ilvl')!r} is not 0-8 (ignored)")
                continue
            start = _int(val(override, "startOverride"))
            if start is not None and not 0 <= start <= MAX_START:
                warn(f"a list restarts at {start} (0-{MAX_START} are read; ignored)")
                start = None
            replaced = _levels(override, warn).get(ilvl)
            numbering.overrides.setdefault(num_id, {})[ilvl] = (start, replaced)
    return numbering
