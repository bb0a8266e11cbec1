"""Numbered paragraphs: their labels and the sequence they run in.

UN documents number their paragraphs ``1.``, ``2.``, ... through the whole document, or, in the
fascicles of the programme budget, by section: ``13.1``, ``13.2``, ... (no dot after the last
number); an annex may start again from ``1.``, and a lettered series (``A.1``) may follow.
:class:`Numbering` follows the sequence, so that a line that merely starts with a number
(``2.5 million``, a heading ``1. Legal assistance`` after paragraph 14) is told from the next
paragraph: a label is taken when it is the next number of the series; a few numbers may be
skipped after a finished sentence (said as a warning); a new series (another section prefix,
or an annex) starts at its number 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: a paragraph label at a line's start and the text after it: ``15.``, ``13.1``, ``13.1.``,
#: ``A.1`` (the series prefix, the number), full-width dots too
_PARA = re.compile(
    r"(?:(?P<prefix>\d{1,3}|[A-Z])[.．](?P<sub>\d{1,4})(?:[.．](?!\d)|(?=\s)|$)"
    r"|(?P<number>\d{1,4})[.．](?!\d))\s*(?P<rest>.*)",
    re.DOTALL,
)
_JUMP = 3  # numbers that may be skipped after a finished sentence


@dataclass(frozen=True, slots=True)
class Label:
    """A paragraph label as printed (``printed``), its series prefix and number, and the text
    after it."""

    prefix: str
    number: int
    printed: str
    rest: str

    @property
    def name(self) -> str:
        """The label without its dot: ``15``, ``13.1``."""
        return f"{self.prefix}.{self.number}" if self.prefix else str(self.number)


def label_of(line: str) -> Label | None:
    """The paragraph label a line starts with, if any (see :data:`_PARA`)."""
    if not line or not (line[0].isdigit() or "A" <= line[0] <= "Z"):
        return None
    m = _PARA.fullmatch(line)
    if m is None:
        return None
    prefix = m.group("prefix") or ""
    number = int(m.group("sub") if prefix else m.group("number"))
    return Label(prefix, number, line[: m.start("rest")].rstrip(), m.group("rest"))


class Numbering:
    """Where the sequence of numbered paragraphs stands (see the module docstring)."""

    def __init__(self) -> None:
        self.prefix: str | None = None  # None: no numbered paragraph yet
        self.next = 1
        self.annex = False  # an annex began since the last numbered paragraph

    def is_next(self, label: Label) -> bool:
        """Whether ``label`` is exactly the next number of the current series, or the first
        paragraph of the document (a new series after an annex heading too)."""
        if self.prefix is None or (self.annex and label.number == 1):
            return label.number == 1
        return label.prefix == self.prefix and label.number == self.next

    def accepts(self, label: Label, *, after_sentence: bool) -> str | None:
        """``"next"`` when ``label`` continues the sequence, ``"jump"`` when it skips a few
        numbers or starts a new series after a finished sentence, else ``None``."""
        if self.is_next(label):
            return "next"
        if not after_sentence or self.prefix is None:
            return None
        if label.prefix == self.prefix and self.next < label.number <= self.next + _JUMP:
            return "jump"
        if label.prefix != self.prefix and label.number == 1 and self.prefix:
            return "next"  # the next section's series (14.1 after 13.12)
        return None

    def take(self, label: Label) -> None:
        """Record ``label`` as the last numbered paragraph."""
        self.prefix, self.next, self.annex = label.prefix, label.number + 1, False

    def last(self) -> str:
        """The last label taken, as text (for messages)."""
        return f"{self.prefix}.{self.next - 1}" if self.prefix else str(self.next - 1)
