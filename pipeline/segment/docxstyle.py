"""Paragraph styles of a .docx (``word/styles.xml``): what a style says of its paragraphs.

A style inherits from the one it is ``w:basedOn`` (a cycle or a chain deeper than
:data:`MAX_CHAIN` is cut, with a warning). What is read: a style's numbering (``w:numPr``,
whose numId and level may come from different styles of the chain), its outline level
(``w:outlineLvl`` 0-8: a heading level, 9: body text) and whether it is a heading style:
Word's ``heading 1`` ... ``heading 9``, or the headings of the United Nations templates
(``HCh``, ``H1``, ``H23``, ``H4``, ``H56``; ``_ H _Ch_G``, ``_ H_1_G`` ... in the Geneva
ones), or a title style (``Title``, ``Subtitle``, ``TitleHCH``, ``TitleH1``), which stays in a
document's title area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: the longest ``w:basedOn`` chain followed (Word's are a few styles deep)
MAX_CHAIN = 32
_HEADING = re.compile(r"heading[1-9]|标题[1-9]|h(?:ch|[1-9]{1,2})g?")
_TITLE = re.compile(r"(?:sub)?title.*")


def val(parent: Any, name: str) -> str | None:
    """The ``w:val`` of ``parent``'s child ``w:<name>`` (None when there is none)."""
    child = parent.find(f"{W}{name}") if parent is not None else None
    return child.get(f"{W}val") if child is not None else None


def _key(name: str) -> str:
    """A style name or id as compared: letters and digits, lower case."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


@dataclass(frozen=True, slots=True)
class Style:
    """What one ``w:style`` says itself (not inherited)."""

    sid: str
    name: str
    kind: str
    based: str
    num_id: str | None
    ilvl: str | None
    outline: str | None


def _style(el: Any) -> Style:
    ppr = el.find(f"{W}pPr")
    numpr = ppr.find(f"{W}numPr") if ppr is not None else None
    return Style(
        sid=el.get(f"{W}styleId") or "",
        name=val(el, "name") or "",
        kind=el.get(f"{W}type") or "paragraph",
        based=val(el, "basedOn") or "",
        num_id=val(numpr, "numId"),
        ilvl=val(numpr, "ilvl"),
        outline=val(ppr, "outlineLvl"),
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class Styles:
    """The styles of a document (``root``: ``word/styles.xml``'s root; None: none)."""

    def __init__(self, root: Any | None) -> None:
        self.by_id: dict[str, Style] = {}
        self.default = ""
        self.warnings: list[str] = []
        for el in root.findall(f"{W}style") if root is not None else ():
            style = _style(el)
            self.by_id.setdefault(style.sid, style)
            if style.kind == "paragraph" and el.get(f"{W}default") in ("1", "true", "on"):
                self.default = self.default or style.sid
        self._chains: dict[str, tuple[Style, ...]] = {}

    def chain(self, style_id: str) -> tuple[Style, ...]:
        """The style and those it is based on, nearest first (a paragraph without a known
        style has the default paragraph style)."""
        if style_id not in self.by_id:
            style_id = self.default
        if style_id in self._chains:
            return self._chains[style_id]
        out: list[Style] = []
        sid = style_id
        while sid in self.by_id:
            style = self.by_id[sid]
            cycle = any(s.sid == sid for s in out)
            if cycle or len(out) >= MAX_CHAIN:
                what = "a cycle" if cycle else f"a chain over {MAX_CHAIN} styles deep"
                warning = f"the style {style_id!r} is based on {what} (cut there)"
                if warning not in self.warnings and len(self.warnings) < 20:
                    self.warnings.append(warning)
                break
            out.append(style)
            sid = style.based
        self._chains[style_id] = tuple(out)
        return self._chains[style_id]

    def numbering(self, style_id: str) -> tuple[int | None, int | None]:
        """The (numId, level) a paragraph style numbers its paragraphs with (None: not set)."""
        chain = self.chain(style_id)
        num_id = next((_int(s.num_id) for s in chain if s.num_id is not None), None)
        ilvl = next((_int(s.ilvl) for s in chain if s.ilvl is not None), None)
        return num_id, ilvl

    def numbering_style_num(self, style_id: str) -> int | None:
        """The numId of a numbering style (what ``w:numStyleLink`` points at)."""
        style = self.by_id.get(style_id)
        return _int(style.num_id) if style is not None else None

    def outline(self, style_id: str, ppr: Any) -> int | None:
        """A paragraph's outline level (its own, else its style's): 0-8, 9 body, None."""
        own = _int(val(ppr, "outlineLvl"))
        if own is not None:
            return own
        return next((_int(s.outline) for s in self.chain(style_id) if s.outline), None)

    def role(self, style_id: str, ppr: Any) -> str:
        """``heading`` for a heading style or outline level, ``title`` for a title style,
        else ``body``."""
        chain = self.chain(style_id)
        own = chain[0] if chain else None
        keys = {_key(own.sid), _key(own.name)} if own else set()
        if any(_TITLE.fullmatch(k) for k in keys):
            return "title"
        if any(_HEADING.fullmatch(k) for k in keys):
            return "heading"
        outline = self.outline(style_id, ppr)
        return "heading" if outline is not None and 0 <= outline <= 8 else "body"
