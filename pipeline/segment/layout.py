"""The layout of a UN PDF from where its lines are printed and in which type.

UN documents are set from a few templates, in Chinese and English alike:

- a *body column*: paragraph text starts at one left edge (the commonest left edge of body-size
  lines); paragraph numbers (``13.1``) and heading labels (``IV.``, ``A.``) sit in the margin left
  of it or at the first line's start;
- *headings* in bold, italic or larger type, on lines of their own;
- *tables*, their captions and notes set in smaller type, or from the page's left margin left of
  the body column (cells of a row on one baseline);
- *footnotes* in smaller type at the page foot, under a short rule (a drawn line, or a line of
  underscores), each starting with its mark (``1``, ``*``) left of the body column; a footnote
  may go on at the foot of the next page;
- *page furniture* at the page edges: page and job numbers, the document symbol, running headers
  that alternate between odd and even pages (programme budget fascicles: the part on even pages,
  the section on odd ones), and on landscape annex pages the same printed sideways.

:func:`classify` turns the printed lines of every page into :class:`Placed` lines, in reading
order, each with the :class:`~unmt.pipeline.segment.hints.LineHint` that the structure rules
follow. Where the document does not use type to mark headings (the PDFs the tests render set
every line in one font), body lines get no hint and the text rules find headings as in text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unmt.pipeline.segment.clean import PAGE_ITEMS, is_page_line
from unmt.pipeline.segment.hints import CELL, NONE, LineHint

if TYPE_CHECKING:
    from unmt.pipeline.segment.pdf import PdfLine, PdfPage

_HEAD_LINES, _FOOT_LINES = 2, 3  # lines at each page edge that may be furniture
_DIGITS = re.compile(r"\d+")
_UNDERSCORES = re.compile(r"_{5,}")
_STARRED = re.compile(r"(\*{1,3})\s+\S")
_MARK = re.compile(r"(\*{1,3}|\d{1,3}(?![\d,.])|[a-z])\s*(?=\S)")
#: a table's caption on a line of its own: ``Table 1``, ``Table 13.2``, ``表 1``
_CAPTION = re.compile(r"(?:Table|表)\s*\d{1,3}(?:\.\d{1,3})?\s*$")
_TERMINAL = re.compile(r"[。！？.!?…：:;；][”’」』）》)\"']*$")
#: a label printed before a line's text (paragraph number, heading label, list letter)
LABEL = re.compile(
    r"(?:\d{1,3}(?:\.\d{1,3}){1,2}\.?|\d{1,3}\.|[IVXLC]{1,6}\.|[A-Z]\.|\([a-z]{1,3}\)"
    r"|[一二三四五六七八九十]{1,3}[.、．])\s+(?=\S)"
)
#: how far (points) a line may start from the body column's edge and still be in it
_INDENT = 4.0
_LIST_INDENT = 40.0


@dataclass(frozen=True, slots=True)
class Placed:
    """A printed line in reading order: its page (1-based), text and hint."""

    page: int
    text: str
    hint: LineHint
    furniture: bool = False
    indent: int = 0


@dataclass(frozen=True, slots=True)
class Geometry:
    """The document's body type size and the left and right edges of its body column."""

    size: float
    left: float
    right: float

    def smaller(self, line: PdfLine) -> bool:
        return line.size < self.size - 0.6

    def in_column(self, line: PdfLine) -> bool:
        """Starts at the body column's edge (or within a list indent of it), or carries a
        label in the margin whose text starts there."""
        if self.left - _INDENT <= line.x <= self.left + _LIST_INDENT:
            return True
        return line.text_x != line.x and abs(line.text_x - self.left) <= _INDENT

    def styled(self, line: PdfLine) -> bool:
        """Set apart by its type: bold, italic or larger than the body."""
        return line.bold or line.italic or line.size > self.size + 0.6


def geometry(pages: list[PdfPage]) -> Geometry:
    """The commonest type size (by characters), and the commonest left edge of lines in it."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            if not line.rotated:
                sizes[round(line.size * 2) / 2] += len(line.text)
    size = sizes.most_common(1)[0][0] if sizes else 10.0
    body = [ln for p in pages for ln in p.lines if abs(ln.size - size) < 0.6 and not ln.rotated]
    lefts = Counter(round(ln.x) for ln in body)
    left = float(lefts.most_common(1)[0][0]) if lefts else 0.0
    rights = sorted(ln.x1 for ln in body)
    right = rights[int(len(rights) * 0.9)] if rights else 0.0
    return Geometry(size, left, right)


def _all_furniture(text: str) -> bool:
    """A line made only of page numbers, job numbers, bar-code numbers and document symbols."""
    return is_page_line(text) or (len(text) <= 80 and PAGE_ITEMS.fullmatch(text) is not None)


def _edge_key(text: str) -> str:
    return _DIGITS.sub("#", "".join(text.split()))


def furniture(pages: list[PdfPage], geo: Geometry | None = None) -> set[tuple[int, int]]:
    """(page index, line index) of every page-furniture line: among the highest two and lowest
    three lines of a page, those made of page and job numbers and symbols, and those not in
    plain body type that recur (digits aside) at the edges of at least a quarter of the pages
    (three at least: running headers that alternate between odd and even pages recur on half
    of them; a body line recurs only where a text repeats itself); anywhere, a line printed
    sideways that is made of page and job numbers and symbols."""
    geo = geo or geometry(pages)
    edges: list[list[tuple[int, str]]] = []
    for page in pages:
        order = [i for i in range(len(page.lines)) if not page.lines[i].rotated]
        by_height = sorted(order, key=lambda i: -page.lines[i].y)
        n = len(by_height)
        idx = by_height[: min(_HEAD_LINES, n)] + by_height[max(n - _FOOT_LINES, _HEAD_LINES) :]
        edges.append([(i, _edge_key(page.lines[i].text)) for i in idx])
    recurring = Counter(key for edge in edges for key in {k for _, k in edge})
    enough = max(3, (len(pages) + 3) // 4)
    found: set[tuple[int, int]] = set()
    for p, (page, edge) in enumerate(zip(pages, edges, strict=True)):
        for i, key in edge:
            text = page.lines[i].text
            line = page.lines[i]
            plain = abs(line.size - geo.size) < 0.6 and not geo.styled(line)
            note = _STARRED.match(text) is not None  # a footnote, however often it is printed
            if _all_furniture(text) or (
                len(pages) >= 3
                and recurring[key] >= enough
                and len(text) <= 60
                and not (plain or note)
            ):
                found.add((p, i))
        for i, line in enumerate(page.lines):
            if line.rotated and _all_furniture(line.text):
                found.add((p, i))
    return found


def _rule_height(page: PdfPage, lines: list[PdfLine], geo: Geometry) -> float | None:
    """The height of the page's footnote rule: a short drawn rule, or a line of underscores,
    with only smaller type below it (the highest such when there are several)."""
    candidates = [ln.y for ln in lines if _UNDERSCORES.fullmatch(ln.text)]
    candidates += list(page.rules)
    for y in sorted(candidates, reverse=True):
        below = [ln for ln in lines if ln.y < y - 1 and not _UNDERSCORES.fullmatch(ln.text)]
        if below and all(geo.smaller(ln) for ln in below):
            return y
    return None


def _reading_order(page: PdfPage, skip: set[int]) -> list[tuple[int, PdfLine]]:
    """The page's lines top to bottom, left to right on one baseline (table cells)."""
    kept = [(i, ln) for i, ln in enumerate(page.lines) if i not in skip]
    return sorted(kept, key=lambda item: (-round(item[1].y), item[1].x))


def _heading_runs(lines: list[PdfLine], geo: Geometry, after_block: list[bool]) -> dict[int, bool]:
    """The lines that are headings, each with whether it starts one: runs of lines in the body
    column set apart by their type (same size and style, no wider apart than a line and a
    half), that follow the end of a block (or another heading) and, in body-size type, end in
    no punctuation."""
    heads: dict[int, bool] = {}
    k = 0
    while k < len(lines):
        line = lines[k]
        big = line.size > geo.size + 0.6  # never inside a paragraph, wherever it stands
        if not (
            (geo.in_column(line) or big)
            and geo.styled(line)
            and (after_block[k] or k - 1 in heads or big)
        ):
            k += 1
            continue
        end = k
        while end + 1 < len(lines):
            nxt, cur = lines[end + 1], lines[end]
            if not (
                _same_type(cur, nxt)
                and (geo.in_column(nxt) or big)
                and _aligned(cur, nxt)
                and 0 < cur.y - nxt.y <= 1.5 * cur.size + 1
            ):
                break
            end += 1
        if line.size > geo.size + 0.6 or not _TERMINAL.search(lines[end].text):
            heads.update((j, j == k) for j in range(k, end + 1))
        k = end + 1
    return heads


def _aligned(cur: PdfLine, nxt: PdfLine) -> bool:
    """The next line of a heading starts where its text does (after a label), or is centred
    on the same axis."""
    return (
        abs(nxt.x - cur.text_x) <= 3
        or abs(nxt.x - cur.x) <= 3
        or abs((nxt.x + nxt.x1) - (cur.x + cur.x1)) <= 6
    )


def _row_like(line: PdfLine, geo: Geometry) -> bool:
    """A body-size line inside a table that is one of its rows: no label, plain type, short of
    the column's right edge (a paragraph's text after a table runs to it, or starts with its
    number)."""
    return not LABEL.match(line.text) and not geo.styled(line) and line.x1 < geo.right - 15


def _same_type(a: PdfLine, b: PdfLine) -> bool:
    return (a.bold, a.italic, round(a.size)) == (b.bold, b.italic, round(b.size))


def _title_area(lines: list[PdfLine], geo: Geometry, end: int) -> int:
    """How many lines of the first page are its title area: those before the first line of the
    body column that starts with a label (a heading ``I.``, a paragraph ``1.`` or ``13.1``)."""
    for k in range(end):
        ln = lines[k]
        if geo.in_column(ln) and not geo.smaller(ln) and LABEL.match(ln.text):
            return k
    return end


def _page_hints(
    lines: list[PdfLine], geo: Geometry, rule: float | None, styled: bool, title: int, carry: bool
) -> list[LineHint]:
    """The hint of each line of one page (in reading order); the first ``title`` lines are the
    document's title area (no hint); ``carry``: the page before ended a block."""
    hints = [NONE] * len(lines)
    body_end = len(lines)
    if rule is not None:  # footnotes under the rule
        body_end = next((k for k, ln in enumerate(lines) if ln.y < rule - 1), len(lines))
        for k in range(body_end, len(lines)):
            ln = lines[k]
            mark = _MARK.match(ln.text)
            # a mark hangs left of the text (or is the first thing under the rule, or stars)
            starts = (
                mark is not None
                and not mark.group(1).isalpha()
                and (ln.x < geo.left - 2 or k == body_end or mark.group(1)[0] == "*")
            )
            hints[k] = LineHint("footnote", starts, mark.group(1) if starts and mark else "")
    after_block = [True] * body_end
    in_table = False
    for k in range(title, body_end):
        ln = lines[k]
        prev = lines[k - 1] if k > title else None
        ended = carry if prev is None else bool(_TERMINAL.search(prev.text))
        after_block[k] = ended or in_table
        same_row = prev is not None and in_table and abs(prev.y - ln.y) < 2
        big = ln.size > geo.size + 0.6  # a heading's type, wherever it stands
        caption = _CAPTION.match(ln.text) is not None
        starred = _STARRED.match(ln.text) if geo.smaller(ln) and not in_table else None
        if starred is not None:  # a starred note in small type, wherever the rule is
            hints[k] = LineHint("footnote", True, starred.group(1))
            continue
        if (geo.smaller(ln) or not geo.in_column(ln) or same_row or caption) and not big:
            hints[k] = LineHint("table", not in_table)
            in_table = True
        elif in_table and (ln.x > geo.left + _LIST_INDENT or _row_like(ln, geo)):
            hints[k] = LineHint("table", False)  # a cell's text, or a row of body-size cells
        else:
            in_table = False
    heads = _heading_runs(lines[:body_end], geo, after_block) if styled else {}
    for k in range(title, body_end):
        if hints[k].role in ("table", "footnote"):
            continue
        if k in heads:
            hints[k] = LineHint("heading", heads[k])
        elif styled:
            hints[k] = LineHint("body")
    return hints


def _indent(line: PdfLine, left: float) -> int:
    """The line's indentation against the page's leftmost line, in half-em spaces (as text
    extracted from a PDF carries it: the title rules compare the indentation of lines)."""
    return max(0, round((line.x - left) / (line.size / 2)))


def classify(pages: list[PdfPage]) -> list[Placed]:
    """Every printed line of the document in reading order, with its hint (see the module
    docstring); a table's cells on one baseline become one line (:data:`CELL` between them)."""
    geo = geometry(pages)
    found = furniture(pages, geo)
    styled_lines = sum(
        1
        for p, page in enumerate(pages)
        for i, ln in enumerate(page.lines)
        if (p, i) not in found and geo.in_column(ln) and geo.styled(ln)
    )
    styled = styled_lines >= 3  # the type marks headings: body lines are never headings
    out: list[Placed] = []
    carry = True
    skipped: dict[int, set[int]] = {}
    for q, i in found:
        skipped.setdefault(q, set()).add(i)
    for p, page in enumerate(pages):
        skip = skipped.get(p, set())
        for i in sorted(skip):
            out.append(Placed(page.number, page.lines[i].text, LineHint("furniture"), True))
        order = _reading_order(page, skip)
        lines = [ln for _, ln in order]
        left = min((ln.x for ln in lines), default=0.0)
        rule = _rule_height(page, lines, geo)
        title = _title_area(lines, geo, len(lines)) if p == 0 else 0
        hints = _page_hints(lines, geo, rule, styled, title, carry)
        body = [
            (ln, h) for ln, h in zip(lines, hints, strict=True) if h.role in ("body", "heading")
        ]
        carry = (
            not body or body[-1][1].role == "heading" or bool(_TERMINAL.search(body[-1][0].text))
        )
        k = 0
        while k < len(lines):
            line, hint = lines[k], hints[k]
            if _UNDERSCORES.fullmatch(line.text):
                out.append(Placed(page.number, line.text, LineHint("furniture"), True))
                k += 1
                continue
            if hint.role == "table":  # the cells of one baseline as one row
                cells = [line.text]
                while (
                    k + 1 < len(lines)
                    and hints[k + 1].role == "table"
                    and abs(lines[k + 1].y - line.y) < 2
                    and not hints[k + 1].starts
                ):
                    k += 1
                    cells.append(lines[k].text)
                out.append(Placed(page.number, CELL.join(cells), hint, False, _indent(line, left)))
            else:
                out.append(Placed(page.number, line.text, hint, False, _indent(line, left)))
            k += 1
    return out
