"""What the reader of a document knows about its lines beyond their text.

Plain text says nothing but its characters, and the structure rules
(:mod:`unmt.pipeline.segment.structure`) guess from them. A PDF's reader knows where each printed
line sits and in which type (:mod:`unmt.pipeline.segment.layout`); a .docx reader knows each
paragraph's style and automatic number. Such a reader passes one :class:`LineHint` per text line,
and the structure rules follow it instead of guessing where it says something.
"""

from __future__ import annotations

from dataclasses import dataclass

#: what a line is, as its reader knows it:
#:
#: - ``""``: nothing known; the text rules decide everything (plain text);
#: - ``body``: body text: a numbered paragraph may start here (the text rules check its number),
#:   otherwise it continues the open block; never a heading;
#: - ``heading``: a heading (``starts``: a new one; else it goes on over this line);
#: - ``footnote``: a footnote (``starts``: a new one, its mark in ``label``; else the text of the
#:   last footnote goes on, on the next page too);
#: - ``table``: a row of a table (``starts``: a new table), its cells separated by :data:`CELL`;
#: - ``furniture``: page furniture the reader kept for the record (dropped).
ROLES = ("", "body", "heading", "footnote", "table", "furniture")

#: between the cells of a table row, in a ``table`` line and in a table block's text
CELL = " | "


@dataclass(frozen=True, slots=True)
class LineHint:
    """What is known about one text line.

    Attributes:
        role: one of :data:`ROLES`.
        starts: the line starts a new block of its role (a heading, a footnote, a table).
        label: a label the reader knows (a footnote's mark, a .docx paragraph's automatic
            number as Word displays it); empty when the text carries its own.
    """

    role: str = ""
    starts: bool = True
    label: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown line role {self.role!r}")


NONE = LineHint()
