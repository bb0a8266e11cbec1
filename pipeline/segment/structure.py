"""Document structure: title, headings, numbered paragraphs and footnotes from cleaned lines.

Rules (for PDF-extracted text, where a printed line is a text line):

* Blank lines and page-break indentation are dropped; ``undocs.org`` link lines are taken out of
  the text and attached to the blocks of their page (and to the document); page furniture lines
  (page number ``2/19``, job number ``V.21-01617 (C)``, a running header that is just the
  document symbol) are dropped.
* Everything before the first labelled heading (``一.``, ``I.``, ``A.``, ``1.``, ``(a)``) or the
  first paragraph ``1.`` is the title area. There a line starts a new title block unless the line
  before it ends in a comma, or ends no sentence and is full width or (Chinese) is a line of a
  centred multi-line title (over half the full width, same indentation as this line), or
  (English) this line starts in lower case.
* Numbered paragraphs run 1..N through the whole document, or by section (``13.1``, ``13.2``, ...
  in a programme budget fascicle), an annex starting again at 1: a line ``15. ...`` starts a
  paragraph only when 15 is the next paragraph number (a small gap is accepted after a sentence
  end), so a heading ``1. 立法援助`` after paragraph 14 is a heading
  (:mod:`unmt.pipeline.segment.numbering`).
* A heading is one short line that does not end in punctuation, is followed by the start of
  another block, and either carries a label (``一.``, ``A.``, ``1.``, ``(a)``) or, for a bare
  heading such as ``西非``, comes after a finished sentence. A labelled heading too long for one
  line may go on on one more short line that ends in no punctuation.
* A footnote line (``* E/CN.15/2021/1。``) is a footnote block; the paragraph open around it (the
  footnote sits at a page end) goes on after it.
* Any other line continues the open block (rejoined: :mod:`unmt.pipeline.segment.clean`).

With ``wrapped=False`` (.docx input, one line per paragraph) lines are never joined. Where the
reader of the document knows more than the text (a PDF's layout, a .docx's styles), it passes a
:class:`~unmt.pipeline.segment.hints.LineHint` per line and these rules follow it: page
furniture is dropped, a footnote is a footnote wherever it stands (and goes on across a page
break), a table's rows make a table block (the paragraph open around it goes on after it), a
heading is a heading, and a body line is never taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unmt.pipeline.segment import lineclass as lc
from unmt.pipeline.segment.clean import (
    display_width,
    is_link_line,
    is_page_line,
    join_lines,
    links_in,
)
from unmt.pipeline.segment.hints import NONE, LineHint
from unmt.pipeline.segment.lineclass import Parsed, Piece
from unmt.pipeline.segment.numbering import Label, Numbering, label_of
from unmt.records import Block


@dataclass(slots=True)
class _Open:
    kind: str
    label: str
    line: int
    parts: list[str]
    links: list[str]


class _Parser:
    def __init__(
        self, lang: str, wrapped: bool, trace: bool, hints: tuple[LineHint, ...] = ()
    ) -> None:
        self.lang, self.wrapped, self.trace = lang, wrapped, trace
        self.hints = hints
        self.opened: list[_Open] = []
        self.pieces: list[Piece] = []
        self.links: dict[str, None] = {}
        self.touched: list[int] = []
        self.after_links = False
        self.numbering = Numbering()
        self.full = 80
        self.warnings: list[tuple[int, str]] = []  # (1-based line, what looks wrong)

    # -- building ---------------------------------------------------------------------------
    def _new(self, kind: str, label: str, line: int, printed: str, text: str) -> int:
        self.opened.append(_Open(kind, label, line, [text] if text else [], []))
        pos = len(self.opened) - 1
        if self.trace:
            if printed:
                self.pieces.append(Piece(line, -1, printed, "label"))
            if text:
                self.pieces.append(Piece(line, pos, text, "text"))
        self._touch(pos)
        return pos

    def _append(self, pos: int, line: int, text: str) -> None:
        self.opened[pos].parts.append(text)
        if self.trace:
            self.pieces.append(Piece(line, pos, text, "text"))
        self._touch(pos)

    def _touch(self, pos: int) -> None:
        if self.after_links:
            self.touched, self.after_links = [], False
        if not self.touched or self.touched[-1] != pos:
            self.touched.append(pos)

    def _link_line(self, line: int, s: str) -> None:
        found = links_in(s)
        if self.trace:
            self.pieces.append(Piece(line, -1, s, "link"))
        for link in found:
            self.links.setdefault(link)
            for pos in self.touched:
                if link not in self.opened[pos].links:
                    self.opened[pos].links.append(link)
        self.after_links = True

    def _page_line(self, line: int, s: str) -> None:
        if self.trace:
            self.pieces.append(Piece(line, -1, s, "page"))

    def hint(self, line: int) -> LineHint:
        return self.hints[line - 1] if line <= len(self.hints) else NONE

    def _aside(self, line: int, s: str) -> bool:
        """Handle a link line, page furniture, a footnote line or a table row; False for any
        other line."""
        hint = self.hint(line)
        if hint.role == "furniture":
            self._page_line(line, s)
        elif hint.role == "footnote":
            self._footnote_line(line, s, hint)
        elif hint.role == "table":
            last = self._last("table")
            if hint.starts or last < 0:
                self._new("table", "", line, "", s)
            else:
                self._append(last, line, s)
        elif is_link_line(s):
            self._link_line(line, s)
        elif hint.role == "" and is_page_line(s):
            self._page_line(line, s)
        elif hint.role == "" and (f := lc.footnote_line(s)):
            self._new("footnote", f.group(1), line, f.group(1), f.group(2))
        else:
            return False
        return True

    def _footnote_line(self, line: int, s: str, hint: LineHint) -> None:
        last = self._last("footnote")
        if hint.starts or last < 0:
            mark = hint.label
            rest = s[len(mark) :].lstrip() if mark and s.startswith(mark) else s
            self._new("footnote", mark, line, mark, rest)
        else:  # a footnote goes on (at the foot of the next page too)
            self._append(last, line, s)

    def _last(self, kind: str) -> int:
        """The position of the last block of ``kind`` (-1: none)."""
        return next((k for k in range(len(self.opened) - 1, -1, -1)
                     if self.opened[k].kind == kind), -1)  # fmt: skip

    # -- classifying ------------------------------------------------------------------------
    def _short(self, s: str, share: float) -> bool:
        return display_width(s) < share * self.full

    def _heading_like(self, s: str) -> re.Match[str] | None:
        m = lc.HEADING.fullmatch(s) if s[0] in lc.HEADING_FIRST else None
        if m and self._short(s, lc.SHORT) and not m.group(2).endswith(lc.NO_HEADING_END):
            return m
        return None

    def _para_start(self, s: str, prev_terminal: bool, line: int) -> Label | None:
        label = label_of(s)
        if label is None:
            return None
        verdict = self.numbering.accepts(label, after_sentence=prev_terminal)
        if verdict == "next":
            return label
        if verdict == "jump" and not self._heading_like(s):
            last = self.numbering.last()
            self.warnings.append((line, f"paragraph numbers jump from {last} to {label.name}"))
            return label
        return None

    def _bare_like(self, s: str) -> bool:
        return (
            self._short(s, lc.BARE)
            and not s.endswith(lc.NO_HEADING_END)
            and not (self.lang == "en" and s[0].islower())
            and lc.footnote_line(s) is None
        )

    def _starts_block(self, nxt: str | None, annex: bool = False) -> bool:
        """Whether the line ``nxt`` starts a block (after an annex heading, a paragraph 1)."""
        if nxt is None:
            return True
        label = label_of(nxt)
        if label is not None and (self.numbering.is_next(label) or (annex and label.number == 1)):
            return True
        return self._heading_like(nxt) is not None or self._bare_like(nxt)

    # -- parsing ----------------------------------------------------------------------------
    def _title(self, items: list[tuple[int, str]], indents: dict[int, int]) -> None:
        prev, prev_line = "", 0
        pos = -1
        for line, s in items:
            if self._aside(line, s):
                continue
            # a centred multi-line title: long-ish lines, same indentation, no sentence end
            centred = (
                self.lang != "en"
                and not self._short(prev, lc.TITLE_LINE)
                and indents[line] == indents[prev_line]
            )
            joins = (
                self.wrapped
                and pos >= 0
                and (
                    (not lc.TERMINAL.search(prev) and (not self._short(prev, lc.SHORT) or centred))
                    or prev.endswith(lc.CONTINUES)
                    or (self.lang == "en" and s[0].islower())
                )
            )
            if joins:
                self._append(pos, line, s)
            else:
                pos = self._new("title", "", line, "", s)
            prev, prev_line = s, line

    def _aside_only(self, line: int, s: str) -> bool:
        """Whether a line is no body text: furniture, a link line, a footnote or a table row."""
        role = self.hint(line).role
        return role in ("furniture", "footnote", "table") or (
            role == "" and (lc.is_furniture(s) or lc.footnote_line(s) is not None)
        )

    def _body(self, items: list[tuple[int, str]]) -> None:
        next_of: dict[int, int] = {}  # item -> the next body text item
        following = -1
        for i in range(len(items) - 1, -1, -1):
            next_of[i] = following
            if not self._aside_only(*items[i]):
                following = i
        consumed: set[int] = set()

        def text_at(i: int) -> str | None:
            return items[i][1] if i >= 0 else None

        current = -1  # the open paragraph (or -1)
        prev = ""  # the last body text line that was not a footnote
        prev_is_heading = True
        for i, (line, s) in enumerate(items):
            if i in consumed:
                continue
            if self._aside(line, s):
                continue
            role = self.hint(line).role
            terminal = prev_is_heading or lc.TERMINAL.search(prev) is not None
            if role == "heading":
                current, prev_is_heading, prev = self._hinted_heading(line, s), True, s
                continue
            nxt = text_at(next_of[i])
            m = self._para_start(s, terminal, line)
            guess = role == ""  # a body line the layout knows is never a heading
            h = None if m or not guess else self._heading_like(s)
            wrapped_heading = (
                None
                if m or h or not terminal or not guess
                else self._wrapped_heading(s, next_of[i], items)
            )
            if wrapped_heading:
                second = next_of[i]
                label = "".join(wrapped_heading.group(1).split())
                pos = self._new(
                    "heading", label, line, wrapped_heading.group(1), wrapped_heading.group(2)
                )
                self._append(pos, items[second][0], items[second][1])
                consumed.add(second)
                current, prev_is_heading = -1, True
                prev = items[second][1]
                continue
            if m:
                self.numbering.take(m)
                current = self._new("paragraph", m.name, line, m.printed, m.rest)
                prev_is_heading = False
            elif h and self._starts_block(nxt, bool(lc.ANNEX.match(h.group(2)))):
                label = "".join(h.group(1).split())
                self._heading_seen(h.group(2))
                self._new("heading", label, line, h.group(1), h.group(2))
                current, prev_is_heading = -1, True
            elif (
                guess
                and terminal
                and self._bare_like(s)
                and self._starts_block(nxt, bool(lc.ANNEX.match(s)))
            ):
                self._heading_seen(s)
                self._new("heading", "", line, "", s)
                current, prev_is_heading = -1, True
            else:
                if current >= 0 and self.wrapped and not self._ends_unlabelled(current, prev):
                    self._append(current, line, s)
                else:
                    current = self._new("paragraph", "", line, "", s)
                prev_is_heading = False
            prev = s

    def _hinted_heading(self, line: int, s: str) -> int:
        """A line the layout marks as a heading: a new one, or the next line of the last one.
        Returns -1 (no paragraph is open after a heading)."""
        last = self._last("heading")
        if not self.hint(line).starts and last >= 0 and last == len(self.opened) - 1:
            self._append(last, line, s)
            return -1
        m = lc.HEADING.fullmatch(s) if s[0] in lc.HEADING_FIRST else None
        if m:  # a label the layout put on a heading (``II.``, ``A.``, ``1.``)
            self._heading_seen(m.group(2))
            self._new("heading", "".join(m.group(1).split()), line, m.group(1), m.group(2))
        else:
            self._heading_seen(s)
            self._new("heading", "", line, "", s)
        return -1

    def _heading_seen(self, text: str) -> None:
        if lc.ANNEX.match(text):
            self.numbering.annex = True

    def _wrapped_heading(
        self, s: str, second: int, items: list[tuple[int, str]]
    ) -> re.Match[str] | None:
        """A labelled heading too long for one line: its second line is short, ends in no
        punctuation and is followed by the start of a block."""
        m = lc.HEADING.fullmatch(s) if s[0] in lc.HEADING_FIRST and self.wrapped else None
        if m is None or second < 0 or s.endswith(lc.NO_HEADING_END):
            return None
        label = label_of(s)
        if label is not None and self.numbering.is_next(label):
            return None
        tail = items[second][1]
        if not self._short(tail, lc.SHORT) or tail.endswith(lc.NO_HEADING_END):
            return None
        if label_of(tail) or self._heading_like(tail) or lc.footnote_line(tail):
            return None
        after = next(
            (k for k in range(second + 1, len(items)) if not lc.is_furniture(items[k][1])), -1
        )
        while after >= 0 and lc.footnote_line(items[after][1]):
            after = next(
                (k for k in range(after + 1, len(items)) if not lc.is_furniture(items[k][1])), -1
            )
        return m if self._starts_block(items[after][1] if after >= 0 else None) else None

    def _ends_unlabelled(self, pos: int, prev: str) -> bool:
        """An unnumbered paragraph ends at a short line that ends a sentence."""
        block = self.opened[pos]
        return not block.label and self._short(prev, lc.SHORT) and bool(lc.TERMINAL.search(prev))

    def run(self, text: str) -> Parsed:
        items: list[tuple[int, str]] = []
        indents: dict[int, int] = {0: -1}
        for n, raw in enumerate(text.split("\n"), 1):
            s = raw.strip()
            if s:
                items.append((n, s))
                indents[n] = len(raw) - len(raw.lstrip())
        self.full = lc.full_width([s for _, s in items if not lc.is_furniture(s)])
        start = len(items)
        for k, (line, s) in enumerate(items):
            role = self.hint(line).role
            if role in ("furniture", "footnote", "table"):
                continue
            label = label_of(s)
            if (
                role == "heading"
                or (label is not None and label.number == 1)
                or (role == "" and self._heading_like(s))
            ):
                start = k
                break
        if start == len(items):
            start = 0  # no structure at all: everything is body text
        self._title(items[:start], indents)
        self._body(items[start:])
        counters: dict[str, int] = {}
        blocks = []
        for b in self.opened:
            counters[b.kind] = counters.get(b.kind, 0) + 1
            # a table's rows stay rows; every other block's lines are one text again
            text_ = "\n".join(b.parts) if b.kind == "table" else join_lines(b.parts, self.lang)
            blocks.append(Block(b.kind, b.label, text_, counters[b.kind], tuple(b.links), b.line))
        return Parsed(blocks, list(self.links), self.pieces, self.warnings)


def parse(
    text: str,
    lang: str = "zh",
    *,
    wrapped: bool = True,
    trace: bool = False,
    hints: tuple[LineHint, ...] = (),
) -> Parsed:
    """Split normalised text (``\\n`` line ends) into blocks.

    Args:
        text: the document text.
        lang: ``zh`` or ``en`` (how lines are rejoined and what a heading looks like).
        wrapped: whether lines may be hard-wrapped inside paragraphs (False for .docx).
        trace: also record, for every line, where its text went (:attr:`Parsed.pieces`).
        hints: what the document's reader knows of each line (line n: ``hints[n - 1]``;
            none: the text rules decide everything).
    """
    return _Parser(lang, wrapped, trace, hints).run(text)
