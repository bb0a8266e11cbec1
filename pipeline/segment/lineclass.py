"""The classes of text lines the structure rules tell apart, and what a parse gives back.

Shared by :mod:`unmt.pipeline.segment.structure` (the rules) and its callers: a labelled heading
(``一.``, ``IV.``, ``A.``, ``1.``, ``(a)``), a starred footnote line, page furniture and link lines,
sentence ends, the printed width of a full line; :class:`Piece` and :class:`Parsed`, the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from unmt.pipeline.segment.clean import display_width, is_link_line, is_page_line
from unmt.records import Block

HEADING = re.compile(
    r"((?:[一二三四五六七八九十]{1,3}|[IVXL]{1,6}|[A-Z])[.．、]"
    r"|（[一二三四五六七八九十]{1,3}）|\d{1,2}[.．]"
    r"|\([a-z]{1,4}\)|（[a-z]{1,4}）|\(\d{1,2}\))\s*(\S.*)"
)
FOOTNOTE = re.compile(r"(\*{1,3})\s*(\S.*)")
NO_HEADING_END = tuple("。.；;，,：:、!！?？")
TERMINAL = re.compile(r"[。！？.!?…][”’」』）》)\"']*$")
CONTINUES = tuple("，、：；,:;-(（“")
SHORT = 0.8  # a line narrower than this share of the full width is not a wrapped line
BARE = 0.6  # a bare heading is at most this share of the full width
TITLE_LINE = 0.55  # lines of a centred multi-line title are at least this share
ANNEX = re.compile(r"(?:Annex|ANNEX|附件)\b")


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


HEADING_FIRST = frozenset("0123456789一二三四五六七八九十ABCDEFGHIJKLMNOPQRSTUVWXYZ(（")


def footnote_line(s: str) -> re.Match[str] | None:
    return FOOTNOTE.fullmatch(s) if s[0] == "*" else None


def is_furniture(s: str) -> bool:
    return is_link_line(s) or is_page_line(s)


MIN_FULL = 60  # narrowest full line assumed (short inputs have too few lines to tell)


def full_width(lines: list[str]) -> int:
    """The printed width of a full line: the 90th percentile of line widths."""
    widths = sorted(display_width(s) for s in lines[:5000])
    return max(widths[int(len(widths) * 0.9)] if widths else 0, MIN_FULL)
