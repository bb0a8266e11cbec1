"""The text of a .docx as Word displays it, one line per paragraph, and what its XML says of
each line (:class:`~unmt.pipeline.segment.hints.LineHint`).

* Body paragraphs in document order (inside content controls and custom XML too), each with
  its automatic number (:mod:`unmt.pipeline.segment.docxnum`) before the text as Word prints it:
  ``1. ``, ``(a) ``, ``13.1 ``; no space after a full-width mark (``一、``) or where the level's
  suffix is ``nothing``; a bullet has no label.
* A table is a table block: each row one ``table`` line, its cells' text joined by
  :data:`~unmt.pipeline.segment.hints.CELL`, the first row ``starts`` it; a table nested in a
  cell goes on as rows of the same table, after the row that holds it; empty rows are left out.
* Footnotes (``word/footnotes.xml``; Word's separator notes left out) follow the body in the
  order of their references, each starting ``LineHint("footnote", True, mark)`` with the mark
  as displayed (1, 2, ... in the format of ``w:footnotePr``; a custom mark such as ``*``). The
  body keeps the reference mark where it stands (``terrorism.1``), as a PDF of the document and
  the text extracted from it print it.
* Headings: a paragraph in a heading style or at an outline level 0-8
  (:mod:`unmt.pipeline.segment.docxstyle`) is a ``heading`` line; where the document has such
  headings every other body paragraph is a ``body`` line (a typed ``一. 导言`` in a body style is
  then no heading); a title style's paragraph, and every paragraph of a document without heading
  styles, is left to the text rules.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any

from unmt.pipeline.segment.docxnum import Numbering, numbering_of
from unmt.pipeline.segment.docxstyle import Styles, W, val
from unmt.pipeline.segment.hints import CELL, NONE, LineHint
from unmt.pipeline.segment.numfmt import format_number

_INLINE = {f"{W}tab": "\t", f"{W}br": " ", f"{W}cr": " ", f"{W}noBreakHyphen": "-"}
_TEXT, _REF = f"{W}t", f"{W}footnoteReference"
_WRAPPERS = {f"{W}customXml", f"{W}sdtContent", f"{W}ins", f"{W}moveTo"}
_SKIP_NOTES = {"separator", "continuationSeparator", "continuationNotice"}
_BREAKS = re.compile(r"[\n\r\f\v\x1c-\x1e\x85\u2028\u2029]")
_GLUED = tuple("、．。，：）")  # a label ending so is printed with no space after it
_ON = ("1", "true", "on")


@dataclass(frozen=True, slots=True)
class DocxText:
    """The lines of a .docx, one hint a line (``hints`` empty: nothing known beyond the text),
    and what was ignored, as warnings."""

    lines: tuple[str, ...]
    hints: tuple[LineHint, ...]
    warnings: tuple[str, ...]


def _content(el: Any) -> Any:
    """The block-level children of ``el``, inside content controls and custom XML too."""
    for child in el:
        if child.tag == f"{W}sdt":
            inner = child.find(f"{W}sdtContent")
            if inner is not None:
                yield from _content(inner)
        elif child.tag in _WRAPPERS:
            yield from _content(child)
        else:
            yield child


def _indent_spaces(ppr: Any) -> int:
    """A paragraph's own indentation as leading spaces (half an em of 10-point type each), as
    text extracted from a PDF carries it: the title rules compare the indentation of lines."""
    ind = ppr.find(f"{W}ind") if ppr is not None else None
    if ind is None:
        return 0

    def twips(name: str) -> int:
        try:
            return int(ind.get(f"{W}{name}") or 0)
        except ValueError:
            return 0

    left = twips("left") or twips("start")
    return max(0, round((left + twips("firstLine") - twips("hanging")) / 20 / 5))


@dataclass(slots=True)
class _Reader:
    styles: Styles
    numbering: Numbering
    note_format: str = "decimal"
    note_number: int = 0
    lines: list[str] = field(default_factory=list)
    hints: list[LineHint] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)  # footnote id -> its mark

    def add(self, line: str, hint: LineHint) -> None:
        self.lines.append(_BREAKS.sub(" ", line))
        self.hints.append(hint)

    def text(self, p: Any, refs: bool = True) -> str:
        """All the text of a ``w:p`` in document order (hyperlinks, tracked insertions, smart
        tags, content controls, field results; no deleted text or field codes), a footnote
        reference as its mark."""
        parts: list[str] = []
        custom: str | None = None  # a custom mark's footnote id, its mark the text after it
        for el in p.iter(_TEXT, _REF, *_INLINE):
            if el.tag == _TEXT:
                parts.append(el.text or "")
                if custom is not None:
                    self.refs.setdefault(custom, (el.text or "").strip())
                    custom = None
            elif el.tag != _REF:
                parts.append(_INLINE[el.tag])
            elif refs:
                fid = el.get(f"{W}id") or ""
                if el.get(f"{W}customMarkFollows") in _ON:
                    custom = fid
                else:
                    self.note_number += 1
                    mark = format_number(self.note_number, self.note_format)
                    self.refs.setdefault(fid, mark)
                    parts.append(mark)
        return "".join(parts)

    def paragraph(self, p: Any) -> str:
        """A paragraph's text after its automatic number."""
        ppr = p.find(f"{W}pPr")
        label = self.numbering.label(ppr, val(ppr, "pStyle") or "")
        text = self.text(p)
        if not label or not label[0] or not text.strip():
            return text
        mark, suffix = label
        glued = suffix == "nothing" or mark.endswith(_GLUED)
        return mark + ("" if glued else " ") + text.lstrip()

    def body(self, container: Any) -> None:
        for el in _content(container):
            if el.tag == f"{W}p":
                ppr = el.find(f"{W}pPr")
                style = val(ppr, "pStyle") or ""
                line = self.paragraph(el)
                role = self.styles.role(style, ppr)
                if role != "heading":
                    line = " " * _indent_spaces(ppr) + line
                self.add(line, NONE if role == "title" else LineHint(role))
            elif el.tag == f"{W}tbl":
                for k, row in enumerate(self.rows(el)):
                    self.add(row, LineHint("table", k == 0))

    def rows(self, tbl: Any, numbered: bool = True) -> list[str]:
        """A table's rows as lines, cells joined by :data:`CELL`; the rows of a table nested in
        a cell follow the row that holds it; empty rows are left out."""
        out: list[str] = []
        for tr in _content(tbl):
            if tr.tag != f"{W}tr":
                continue
            cells: list[str] = []
            nested: list[Any] = []
            for tc in _content(tr):
                if tc.tag != f"{W}tc":
                    continue
                texts = []
                for el in _content(tc):
                    if el.tag == f"{W}p":
                        text = self.paragraph(el) if numbered else self.text(el, refs=False)
                        texts.append(text.strip())
                    elif el.tag == f"{W}tbl":
                        nested.append(el)
                cells.append(" ".join(t for t in texts if t))
            if any(cells):
                out.append(CELL.join(cells))
            for inner in nested:
                out.extend(self.rows(inner, numbered))
        return out

    def footnotes(self, root: Any | None) -> list[str]:
        """The referenced footnotes after the body; what could not be found, as warnings."""
        notes: dict[str, Any] = {}
        for note in root.findall(f"{W}footnote") if root is not None else ():
            if note.get(f"{W}type") not in _SKIP_NOTES:
                notes.setdefault(note.get(f"{W}id") or "", note)
        missing: list[str] = []
        for fid, mark in list(self.refs.items()):
            note = notes.get(fid)
            if note is None:
                if len(missing) < 10:
                    missing.append(f"the footnote reference {fid!r} has no footnote (mark kept)")
                continue
            first = True
            for el in _content(note):
                if el.tag == f"{W}p":
                    lines = [self.text(el, refs=False)]
                else:
                    lines = self.rows(el, False) if el.tag == f"{W}tbl" else []
                for line in lines:
                    text = line.strip()
                    if not text:
                        continue
                    if first and mark and not text.startswith(mark):
                        text = f"{mark} {text}"
                    self.add(text, LineHint("footnote", first, mark if first else ""))
                    first = False
        return missing


def _note_format(settings: Any | None, body: Any) -> tuple[str, int]:
    """The footnote numbers' format and start (the last section's, else the settings')."""
    fmt, start = "decimal", 1
    sects = list(body.iter(f"{W}sectPr"))
    for holder in (settings, sects[-1] if sects else None):
        pr = holder.find(f"{W}footnotePr") if holder is not None else None
        if pr is not None:
            fmt = val(pr, "numFmt") or fmt
            with contextlib.suppress(ValueError):
                start = max(0, min(int(val(pr, "numStart") or start), 32767))
    return fmt, start


def read_body(
    body: Any,
    styles: Any | None = None,
    numbering: Any | None = None,
    footnotes: Any | None = None,
    settings: Any | None = None,
) -> DocxText:
    """The lines of a document's ``w:body`` and its footnotes (roots of the parsed parts)."""
    style_set = Styles(styles)
    reader = _Reader(style_set, numbering_of(numbering, style_set))
    reader.note_format, start = _note_format(settings, body)
    reader.note_number = start - 1
    reader.body(body)
    missing = reader.footnotes(footnotes)
    hints = reader.hints
    headings = any(h.role == "heading" for h in hints)
    if not headings:
        hints = [NONE if h.role == "body" else h for h in hints]
    if all(h == NONE for h in hints):
        hints = []
    warnings = (*style_set.warnings, *reader.numbering.warnings, *missing)
    return DocxText(tuple(reader.lines), tuple(hints), warnings)
