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
* Numbered paragraphs run 1..N through the whole document: a line ``15. ...`` starts a paragraph
  only when 15 is the next paragraph number (a small gap is accepted after a sentence end), so a
  heading ``1. 立法援助`` after paragraph 14 is a heading.
* A heading is one short line that does not end in punctuation, is followed by the start of
  another block, and either carries a label (``一.``, ``A.``, ``1.``, ``(a)``) or, for a bare
  heading such as ``西非``, comes after a finished sentence. A labelled heading too long for one
  line may go on on one more short line that ends in no punctuation.
* A footnote line (``* E/CN.15/2021/1。``) is a footnote block; the paragraph open around it (the
  footnote sits at a page end) goes on after it.
* Any other line continues the open block (rejoined: :mod:`unmt.pipeline.segment.clean`).

With ``wrapped=False`` (.docx input, one line per paragraph) lines are never joined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from unmt.pipeline.segment.clean import (
    display_width,
    is_link_line,
    is_page_line,
    join_lines,
    links_in,
)
from unmt.records import Block

_PARA = re.compile(r"(\d{1,4})[.．](?!\d)\s*(.*)")
_HEADING = re.compile(
    r"((?:[一二三四五六七八九十]{1,3}|[IVXL]{1,6}|[A-Z])[.．、]"
    r"|（[一二三四五六七八九十]{1,3}）|\d{1,2}[.．]"
    r"|\([a-z]{1,4}\)|（[a-z]{1,4}）|\(\d{1,2}\))\s*(\S.*)"
)
_FOOTNOTE = re.compile(r"(\*{1,3})\s*(\S.*)")
_NO_HEADING_END = tuple("。.；;，,：:、!！?？")
_TERMINAL = re.compile(r"[。！？.!?…][”’」』）》)\"']*$")
_CONTINUES = tuple("，、：；,:;-(（“")
_SHORT = 0.8  # a line narrower than this share of the full width is not a wrapped line
_BARE = 0.6  # a bare heading is at most this share of the full width
_TITLE_LINE = 0.55  # lines of a centred multi-line title are at least this share


@dataclass(frozen=True, slots=True)
class Piece:
    """Where a part of one input line went: into a block's text, or out as furniture.

    Attributes:
        line: 1-based input line number.
        block: position of the block in :attr:`Parsed.blocks`, or -1 for furniture.
        text: the text taken from that line (for furniture, exactly what was removed).
        kind: ``text``, ``label``, ``link`` or ``page`` (page or job number, running header).
    """

    line: int
    block: int
    text: str
    kind: str


@dataclass(slots=True)
class Parsed:
    """Blocks, links (unique, in order) and, when traced, where every line went."""

    blocks: list[Block]
    links: list[str]
    pieces: list[Piece] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Open:
    kind: str
    label: str
    line: int
    parts: list[str]
    links: list[str]


_HEADING_FIRST = frozenset("0123456789一二三四五六七八九十ABCDEFGHIJKLMNOPQRSTUVWXYZ(（")


def _para(s: str) -> re.Match[str] | None:
    return _PARA.fullmatch(s) if s[0].isdigit() else None


def _footnote(s: str) -> re.Match[str] | None:
    return _FOOTNOTE.fullmatch(s) if s[0] == "*" else None


def _furniture(s: str) -> bool:
    return is_link_line(s) or is_page_line(s)


_MIN_FULL = 60  # narrowest full line assumed (short inputs have too few lines to tell)


def _full_width(lines: list[str]) -> int:
    """The printed width of a full line: the 90th percentile of line widths."""
    widths = sorted(display_width(s) for s in lines[:5000])
    return max(widths[int(len(widths) * 0.9)] if widths else 0, _MIN_FULL)


class _Parser:
    def __init__(self, lang: str, wrapped: bool, trace: bool) -> None:
        self.lang, self.wrapped, self.trace = lang, wrapped, trace
        self.opened: list[_Open] = []
        self.pieces: list[Piece] = []
        self.links: dict[str, None] = {}
        self.touched: list[int] = []
        self.after_links = False
        self.expected = 1
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

    def _aside(self, line: int, s: str) -> bool:
        """Handle a link line, page furniture or a footnote line; False for any other line."""
        if is_link_line(s):
            self._link_line(line, s)
        elif is_page_line(s):
            self._page_line(line, s)
        elif f := _footnote(s):
            self._new("footnote", f.group(1), line, f.group(1), f.group(2))
        else:
            return False
        return True

    # -- classifying ------------------------------------------------------------------------
    def _short(self, s: str, share: float) -> bool:
        return display_width(s) < share * self.full

    def _heading_like(self, s: str) -> re.Match[str] | None:
        m = _HEADING.fullmatch(s) if s[0] in _HEADING_FIRST else None
        if m and self._short(s, _SHORT) and not m.group(2).endswith(_NO_HEADING_END):
            return m
        return None

    def _para_start(self, s: str, prev_terminal: bool, line: int) -> re.Match[str] | None:
        m = _para(s)
        if not m:
            return None
        n = int(m.group(1))
        if n == self.expected:
            return m
        if self.expected < n <= self.expected + 3 and prev_terminal and not self._heading_like(s):
            self.warnings.append((line, f"paragraph numbers jump from {self.expected - 1} to {n}"))
            return m
        return None

    def _bare_like(self, s: str) -> bool:
        return (
            self._short(s, _BARE)
            and not s.endswith(_NO_HEADING_END)
            and not (self.lang == "en" and s[0].islower())
            and _footnote(s) is None
        )

    def _starts_block(self, nxt: str | None) -> bool:
        if nxt is None:
            return True
        m = _para(nxt)
        if m and int(m.group(1)) == self.expected:
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
                and not self._short(prev, _TITLE_LINE)
                and indents[line] == indents[prev_line]
            )
            joins = (
                self.wrapped
                and pos >= 0
                and (
                    (not _TERMINAL.search(prev) and (not self._short(prev, _SHORT) or centred))
                    or prev.endswith(_CONTINUES)
                    or (self.lang == "en" and s[0].islower())
                )
            )
            if joins:
                self._append(pos, line, s)
            else:
                pos = self._new("title", "", line, "", s)
            prev, prev_line = s, line

    def _body(self, items: list[tuple[int, str]]) -> None:
        text_lines = [(i, s) for i, (_, s) in enumerate(items) if not _furniture(s)]
        next_of: dict[int, int] = {}  # item -> the next text item that is not a footnote
        following = -1
        for i, s in reversed(text_lines):
            next_of[i] = following
            if _footnote(s) is None:
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
            terminal = prev_is_heading or _TERMINAL.search(prev) is not None
            nxt = text_at(next_of[i])
            m = self._para_start(s, terminal, line)
            h = None if m else self._heading_like(s)
            wrapped_heading = (
                None if m or h or not terminal else self._wrapped_heading(s, next_of[i], items)
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
                self.expected = int(m.group(1)) + 1
                printed = s[: m.start(2)].rstrip()
                current = self._new("paragraph", m.group(1), line, printed, m.group(2))
                prev_is_heading = False
            elif h and self._starts_block(nxt):
                label = "".join(h.group(1).split())
                self._new("heading", label, line, h.group(1), h.group(2))
                current, prev_is_heading = -1, True
            elif terminal and self._bare_like(s) and self._starts_block(nxt):
                self._new("heading", "", line, "", s)
                current, prev_is_heading = -1, True
            else:
                if current >= 0 and self.wrapped and not self._ends_unlabelled(current, prev):
                    self._append(current, line, s)
                else:
                    current = self._new("paragraph", "", line, "", s)
                prev_is_heading = False
            prev = s

    def _wrapped_heading(
        self, s: str, second: int, items: list[tuple[int, str]]
    ) -> re.Match[str] | None:
        """A labelled heading too long for one line: its second line is short, ends in no
        punctuation and is followed by the start of a block."""
        m = _HEADING.fullmatch(s) if s[0] in _HEADING_FIRST and self.wrapped else None
        if m is None or second < 0 or s.endswith(_NO_HEADING_END):
            return None
        if _para(s) and int(m.group(1).rstrip(".．")) == self.expected:
            return None
        tail = items[second][1]
        if not self._short(tail, _SHORT) or tail.endswith(_NO_HEADING_END):
            return None
        if _para(tail) or self._heading_like(tail) or _footnote(tail):
            return None
        after = next((k for k in range(second + 1, len(items)) if not _furniture(items[k][1])), -1)
        while after >= 0 and _footnote(items[after][1]):
            after = next(
                (k for k in range(after + 1, len(items)) if not _furniture(items[k][1])), -1
            )
        return m if self._starts_block(items[after][1] if after >= 0 else None) else None

    def _ends_unlabelled(self, pos: int, prev: str) -> bool:
        """An unnumbered paragraph ends at a short line that ends a sentence."""
        block = self.opened[pos]
        return not block.label and self._short(prev, _SHORT) and bool(_TERMINAL.search(prev))

    def run(self, text: str) -> Parsed:
        items: list[tuple[int, str]] = []
        indents: dict[int, int] = {0: -1}
        for n, raw in enumerate(text.split("\n"), 1):
            s = raw.strip()
            if s:
                items.append((n, s))
                indents[n] = len(raw) - len(raw.lstrip())
        self.full = _full_width([s for _, s in items if not _furniture(s)])
        start = len(items)
        for k, (_, s) in enumerate(items):
            m = _para(s)
            if (m and m.group(1) == "1") or self._heading_like(s):
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
            text_ = join_lines(b.parts, self.lang)
            blocks.append(Block(b.kind, b.label, text_, counters[b.kind], tuple(b.links), b.line))
        return Parsed(blocks, list(self.links), self.pieces, self.warnings)


def parse(text: str, lang: str = "zh", *, wrapped: bool = True, trace: bool = False) -> Parsed:
    """Split normalised text (``\\n`` line ends) into blocks.

    Args:
        text: the document text.
        lang: ``zh`` or ``en`` (how lines are rejoined and what a heading looks like).
        wrapped: whether lines may be hard-wrapped inside paragraphs (False for .docx).
        trace: also record, for every line, where its text went (:attr:`Parsed.pieces`).
    """
    return _Parser(lang, wrapped, trace).run(text)
