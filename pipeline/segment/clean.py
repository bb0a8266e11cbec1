"""Clean-up of text extracted from PDF files: line classes and rejoining hard-wrapped lines.

PDF extraction of a UN document gives one printed line per text line, blank lines between them,
page-break indentation (leading spaces on the first lines of a page), and at each page end a block
of ``https://undocs.org/...`` lines (the targets of the page's hyperlinks). This module knows how
to recognise those lines and how to glue wrapped lines back together:

* between two CJK characters (or CJK punctuation) nothing is inserted;
* between a CJK character and a Latin letter or digit one space is inserted, as UN Chinese text
  puts a space around Latin words and numbers (``2020 年``); the line break swallowed it;
* between Latin text one space is inserted, except after a hyphen followed by a lower-case letter
  (``capacity-`` + ``building``), where the hyphen is kept and nothing is inserted.

Only whitespace is ever inserted or removed, never another character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: a line that is nothing but undocs.org links (one or several, separated by spaces)
LINK_LINE = re.compile(r"(?:https?://(?:www\.)?undocs\.org/\S+\s*)+")
_LINK = re.compile(r"https?://(?:www\.)?undocs\.org/\S+")


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs, kana, hangul, CJK and full-width punctuation."""
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF  # radicals, CJK punctuation, kana, ideographs
        or 0xAC00 <= o <= 0xD7AF  # hangul
        or 0xF900 <= o <= 0xFAFF  # compatibility ideographs
        or 0xFE30 <= o <= 0xFE4F  # CJK compatibility forms
        or 0xFF00 <= o <= 0xFFEF  # full-width forms
        or 0x20000 <= o <= 0x3FFFF  # supplementary ideographs
        or ch in "“”‘’…—·"
    )


def _is_ideograph(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


def glue(left: str, right: str, lang: str = "zh") -> str:
    """The whitespace to put between the end of line ``left`` and the start of line ``right``.

    In English text (``lang="en"``) CJK rules are not applied (curly quotes are then English).
    """
    a, b = left[-1], right[0]
    if a == "-" and b.islower():
        return ""
    if lang != "en" and (is_cjk(a) or is_cjk(b)):
        if (_is_ideograph(a) and b.isascii() and b.isalnum()) or (
            _is_ideograph(b) and a.isascii() and a.isalnum()
        ):
            return " "
        return ""
    return " "


def join_lines(lines: Iterable[str], lang: str = "zh") -> str:
    """Rejoin stripped, non-empty hard-wrapped lines into one line of text."""
    out: list[str] = []
    prev = ""
    for line in lines:
        if prev:
            out.append(glue(prev, line, lang))
        out.append(line)
        prev = line
    return "".join(out)


def is_link_line(stripped: str) -> bool:
    """True when a stripped line consists only of ``undocs.org`` links."""
    return stripped.startswith("http") and LINK_LINE.fullmatch(stripped) is not None


#: page furniture of a UN PDF: page number (``2/19``), job number (``V.21-01617 (C)`` or
#: ``21-01828 (C)``, with dates after it), bar-code number (``*2101617*``), running header (the
#: document symbol alone)
PAGE_LINE = re.compile(
    r"\d{1,3}\s*/\s*\d{1,3}"
    r"|(?:[A-Z]{1,2}\.)?\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6}){0,2}"
    r"|\*\d{7}\*"
    r"|[A-Z]{1,2}/(?:[A-Z0-9]+[./-]?)*[A-Z0-9](?:/(?:Add|Corr|Rev)\.\d+)*"
)
#: a UN document symbol (``E/CN.15/2021/5``, ``A/75/L.12/Rev.1``, ``S/RES/2482(2019)``)
SYMBOL = re.compile(
    r"[A-Z]{1,2}/(?:[A-Z0-9]+[./-]?)*[A-Z0-9](?:\(\d{4}\))?(?:/(?:Add|Corr|Rev)\.\d+)*"
)


#: one or more furniture items on one printed line (``2/19    V.21-01617``, as a PDF footer
#: laid out left and right on one baseline extracts)
PAGE_ITEMS = re.compile(rf"(?:{PAGE_LINE.pattern})(?:\s+(?:{PAGE_LINE.pattern}))*")


def is_page_line(stripped: str) -> bool:
    """True when a stripped line is page furniture (page or job number, running header)."""
    first = stripped[:1]
    return (
        len(stripped) <= 40
        and (first.isdigit() or first == "*" or "A" <= first <= "Z")
        and PAGE_LINE.fullmatch(stripped) is not None
    )


def links_in(stripped: str) -> list[str]:
    """The ``undocs.org`` links on a link line, in order."""
    return _LINK.findall(stripped)


def display_width(text: str) -> int:
    """Approximate printed width: 2 for CJK characters, 1 for the rest (from UTF-8 length)."""
    return (len(text.encode("utf-8")) + len(text)) // 2


def nonspace(text: str) -> str:
    """The text with every whitespace character removed (used to compare texts)."""
    return "".join(text.split())


def document_symbol(lines: Iterable[str], limit: int = 2000) -> str:
    """The document symbol a text carries as a line of its own (the masthead or running header
    of a UN document): the most frequent such line among the first ``limit``; ``""`` if none."""
    counts: dict[str, int] = {}
    for k, line in enumerate(lines):
        if k >= limit:
            break
        s = line.strip()
        if 4 <= len(s) <= 40 and "A" <= s[:1] <= "Z" and SYMBOL.fullmatch(s):
            counts[s] = counts.get(s, 0) + 1
    return max(counts, key=lambda k: (counts[k], k)) if counts else ""


_SENTENCE_END = re.compile(r"[。！？.!?…；;：:][”’」』）》)\"']*$")


def looks_hard_wrapped(lines: list[str]) -> bool:
    """True when the lines of a document are printed lines, not paragraphs (a .docx saved from
    a PDF: one Word paragraph a printed line): at least a quarter of them are nearly full-width
    lines that end no sentence, so that the text goes on in the next line."""
    texts = [s for s in (line.strip() for line in lines) if s and not is_link_line(s)]
    if len(texts) < 8:
        return False
    widths = sorted(display_width(s) for s in texts)
    full = widths[int(len(widths) * 0.9)]
    goes_on = sum(
        1 for s in texts[:-1] if display_width(s) >= 0.8 * full and not _SENTENCE_END.search(s)
    )
    return goes_on >= 0.25 * len(texts)
