"""Reading PDF documents with PDFium (pypdfium2, Apache-2.0/BSD): pages to the text the rules take.

The cleaning and structure rules of :mod:`unmt.pipeline.segment.structure` work on text as it
comes out of a PDF: one printed line a text line, ``undocs.org`` link lines at the end of each
page. This module produces exactly that from the PDF itself:

* each page's text layer, one line per printed line, with the line's indentation (its left edge
  against the page's leftmost text line, in half-em spaces) as leading spaces;
* page furniture taken out by position: a line among the two highest or three lowest of a page
  that is nothing but page numbers (``2/19``), job numbers (``21-01828 (C)``), bar-code numbers
  or the document symbol, or that recurs (digits aside) at the same edge of most pages;
* the page's hyperlink annotations to ``undocs.org`` as link lines after its text (the targets
  the rules attach to the blocks of that page), unless the page prints them itself.

A PDF that has no usable text layer stops the read with a :class:`UserError` naming the page:
pages that are images only (scanned), text whose glyphs map to no character (``(cid:NN)``,
private-use code points, U+FFFD), or no text at all. Encrypted and broken files are refused too:
a compression bomb before PDFium reads anything (:mod:`unmt.pipeline.segment.pdfbomb`), a page
tree that contains itself with the page named.
"""

from __future__ import annotations

import ctypes
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.fileio import read_bytes
from unmt.pipeline.segment.clean import LINK_LINE, links_in
from unmt.pipeline.segment.hints import NONE, LineHint
from unmt.pipeline.segment.layout import LABEL, Placed, classify
from unmt.pipeline.segment.pdfbomb import MAX_INFLATED, check_inflated_size

__all__ = [
    "MAX_INFLATED",
    "MAX_PDF_BYTES",
    "PdfText",
    "check_inflated_size",
    "load_pages",
    "pdf_text",
]

log = logging.getLogger(__name__)

_BAD_SHARE = 0.10  # a page with more unmapped characters than this is unreadable
_MIN_PAGE_CHARS = 20  # pages with fewer characters are not judged for unmapped glyphs
_CID = re.compile(r"\(cid:\d+\)")
#: most bytes of a PDF file read (a UN report's: a few MB; a scan's: tens of MB)
MAX_PDF_BYTES = 256 * 2**20


@dataclass(frozen=True, slots=True)
class PdfLine:
    """One printed line: its text, left and right edges and baseline (PDF points), the size and
    style of its type (bold and italic when its first and last characters are), whether it is
    printed sideways, and where its text starts after a leading label (``13.1``, ``IV.``,
    ``(a)``) printed in the margin (``x`` when it has none)."""

    text: str
    x: float
    y: float
    size: float
    x1: float = 0.0
    bold: bool = False
    italic: bool = False
    rotated: bool = False
    text_x: float = 0.0


@dataclass(frozen=True, slots=True)
class PdfPage:
    """One page: its printed lines top to bottom, link targets, image count, and the heights of
    the short horizontal rules drawn on it alone (a footnote rule is one; a table's rules come
    in rows of several)."""

    number: int
    height: float
    lines: tuple[PdfLine, ...]
    links: tuple[str, ...]
    images: int
    width: float = 0.0
    rules: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class PdfText:
    """The text of a PDF in the form the text rules take, and where each page starts.

    Attributes:
        text: the lines of all pages (``\\n`` line ends), link lines at each page's end.
        page_lines: for each page, the 1-based text line it starts on.
        pages: number of pages.
        furniture: the page-furniture lines taken out (running headers, page numbers...).
        hints: what the layout says of each text line (:mod:`unmt.pipeline.segment.hints`).
    """

    text: str
    page_lines: tuple[int, ...]
    pages: int
    furniture: tuple[str, ...]
    hints: tuple[LineHint, ...] = ()


def _unmapped(text: str) -> int:
    """Characters of ``text`` that stand for no real character."""
    bad = sum(
        1
        for ch in text
        if ch == "\ufffd" or 0xE000 <= ord(ch) <= 0xF8FF or (ord(ch) < 0x20 and ch not in "\t\x02")
    )
    return bad + sum(len(m) for m in _CID.findall(text))


def _uri(pdf: object, link: object) -> str:
    import pypdfium2.raw as raw

    action = raw.FPDFLink_GetAction(link)
    if not action or raw.FPDFAction_GetType(action) != raw.PDFACTION_URI:
        return ""
    size = raw.FPDFAction_GetURIPath(pdf, action, None, 0)
    if size <= 1:
        return ""
    buf = ctypes.create_string_buffer(size)
    raw.FPDFAction_GetURIPath(pdf, action, buf, size)
    return buf.value.decode("utf-8", errors="replace").strip()


_ITALIC_FLAG = 64  # the italic bit of a PDF font descriptor's flags


class _Chars:
    """The type of one character of a text page (PDFium calls, a few per line)."""

    def __init__(self, textpage: object) -> None:
        import pypdfium2.raw as raw

        self.raw, self.page = raw, textpage
        self.name = ctypes.create_string_buffer(128)
        self.flags = ctypes.c_int()
        self.x, self.y = ctypes.c_double(), ctypes.c_double()
        self.box = [ctypes.c_double() for _ in range(4)]

    def style(self, i: int) -> tuple[bool, bool]:
        """(bold, italic) of character ``i``."""
        self.raw.FPDFText_GetFontInfo(self.page, i, self.name, 128, ctypes.byref(self.flags))
        name = self.name.value
        bold = self.raw.FPDFText_GetFontWeight(self.page, i) >= 600 or b"Bold" in name
        italic = bool(self.flags.value & _ITALIC_FLAG) or b"Italic" in name or b"Oblique" in name
        return bold, italic

    def origin(self, i: int) -> tuple[float, float]:
        self.raw.FPDFText_GetCharOrigin(self.page, i, self.x, self.y)
        return self.x.value, self.y.value

    def right(self, i: int) -> float:
        left, right, bottom, top = self.box
        self.raw.FPDFText_GetCharBox(self.page, i, left, right, bottom, top)
        return right.value


def _line(chars: _Chars, part: str, index: int) -> PdfLine:
    """One printed line of ``part`` (its text as PDFium gives it) starting at char ``index``."""
    raw = chars.raw
    stripped = part.strip()
    first = index + (len(part) - len(part.lstrip()))
    last = first + len(stripped) - 1
    x, y = chars.origin(first)
    size = raw.FPDFText_GetFontSize(chars.page, first) or 10.0
    bold, italic = chars.style(first)
    if last != first:
        end_bold, end_italic = chars.style(last)
        bold, italic = bold and end_bold, italic and end_italic
    rotated = abs(raw.FPDFText_GetCharAngle(chars.page, first)) > 0.1
    label = LABEL.match(stripped)
    text_x = chars.origin(first + label.end())[0] if label else x
    return PdfLine(stripped, x, y, size, chars.right(last), bold, italic, rotated, text_x)


def _objects(page: object, raw: Any) -> tuple[int, tuple[float, ...]]:
    """The page's image count, and the heights of its short horizontal rules that have no other
    horizontal rule beside them (a footnote rule; a table's rules come in rows of several):
    one pass over the page objects."""
    images, segments = 0, []
    for obj in page.get_objects(max_depth=2):  # type: ignore[attr-defined]
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            images += 1
        elif obj.type == raw.FPDF_PAGEOBJ_PATH:
            left, bottom, right, top = obj.get_bounds()
            if top - bottom < 2.5 and right - left > 20:
                segments.append((round((top + bottom) / 2), right - left))
    rows = Counter(y for y, _ in segments)
    rules = tuple(sorted(y for y, width in segments if rows[y] == 1 and width <= 150))
    return images, rules


def _page(pdf_raw: object, page: object, number: int) -> PdfPage:
    import pypdfium2.raw as raw

    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        chars = _Chars(textpage.raw)
        lines: list[PdfLine] = []
        index = 0
        for part in text.replace("\r\n", "\n").split("\n"):
            if part.strip():
                lines.append(_line(chars, part, index))
            index += len(part) + 2
    finally:
        textpage.close()
    links: dict[str, None] = {}
    pos, link = ctypes.c_int(0), raw.FPDF_LINK()
    while raw.FPDFLink_Enumerate(page.raw, ctypes.byref(pos), ctypes.byref(link)):  # type: ignore[attr-defined]
        uri = _uri(pdf_raw, link)
        if uri and LINK_LINE.fullmatch(uri):
            links.setdefault(uri)
    images, rules = _objects(page, raw)
    height = float(page.get_height())  # type: ignore[attr-defined]
    width = float(page.get_width())  # type: ignore[attr-defined]
    # top to bottom; pdfium gives lines in content order, which is almost always reading order
    return PdfPage(number, height, tuple(lines), tuple(links), images, width, rules)


def load_pages(path: str | Path, data: bytes | None = None) -> list[PdfPage]:
    """Every page of the PDF at ``path`` (its printed lines, links, images); ``data``: the
    file's bytes when the caller has read them already (the file is then not read again).

    Raises:
        UserError: not a PDF pypdfium2 can open, encrypted, a compression bomb
            (:func:`check_inflated_size`), larger than :data:`MAX_PDF_BYTES`, or a page
            PDFium cannot load (a page tree that contains itself).
    """
    try:
        import pypdfium2 as pdfium
    except ImportError:  # a dependency; only a broken install lacks it
        raise UserError(
            "reading PDF files needs pypdfium2", path=path, hint="pip install pypdfium2"
        ) from None
    if data is None:
        try:
            data = read_bytes(path, limit=MAX_PDF_BYTES)
        except OSError as exc:
            raise UserError(f"cannot read the file ({exc.strerror})", path=path) from None
    check_inflated_size(data, path)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise UserError(
                "the PDF is encrypted (it needs a password)",
                path=path,
                hint="save an unprotected copy (e.g. qpdf --decrypt IN OUT) and give that",
            ) from None
        raise UserError(
            f"not a readable PDF file ({message})",
            path=path,
            hint="re-save or re-download it, or give the document as .txt or .docx",
        ) from None
    try:
        pages = []
        for i in range(len(pdf)):
            try:
                pages.append(_page(pdf.raw, pdf[i], i + 1))
            except pdfium.PdfiumError as exc:
                raise UserError(
                    f"page {i + 1} of the PDF cannot be read ({exc}): its page tree is broken "
                    "(a page node that contains itself, or nested too deep)",
                    path=path,
                    hint="repair it (e.g. qpdf IN OUT, or print it to a new PDF), or give the "
                    "document as .txt or .docx",
                ) from None
        return pages
    finally:
        pdf.close()


def _check_text_layer(pages: list[PdfPage], path: str | Path) -> None:
    hint_ocr = (
        "this PDF has no usable text layer: run OCR first (e.g. ocrmypdf --force-ocr IN OUT) "
        "or give the document as .txt or .docx"
    )
    for page in pages:
        text = "".join(line.text for line in page.lines)
        chars = sum(1 for ch in text if not ch.isspace())
        if chars >= _MIN_PAGE_CHARS and _unmapped(text) > _BAD_SHARE * chars:
            raise UserError(
                f"page {page.number}: {_unmapped(text)} of {chars} characters of the text layer "
                "map to no character (a font without a Unicode map, or '(cid:NN)' codes)",
                path=path,
                hint=hint_ocr,
            )
    scanned = [p.number for p in pages if not p.lines and p.images]
    with_text = [p for p in pages if p.lines]
    if not with_text:
        what = "images only (a scan)" if scanned else "no text"
        raise UserError(f"no page of the PDF has a text layer: {what}", path=path, hint=hint_ocr)
    if len(scanned) * 2 >= len(pages):
        shown = ", ".join(map(str, scanned[:10])) + (" ..." if len(scanned) > 10 else "")
        raise UserError(
            f"{len(scanned)} of {len(pages)} pages are images without text (pages {shown})",
            path=path,
            hint=hint_ocr,
        )
    if scanned:
        log.warning(
            "%s: pages %s are images without text; their content is left out",
            path,
            ", ".join(map(str, scanned)),
        )


def pdf_text(path: str | Path, data: bytes | None = None) -> PdfText:
    """The text of the PDF at ``path`` (``data``: its bytes, when read already), ready for
    :func:`structure.parse` (``wrapped=True``), with the hint of each of its lines from the
    layout (:mod:`unmt.pipeline.segment.layout`).

    Raises:
        UserError: unreadable, encrypted, a compression bomb, a broken page tree, scanned, or a
            text layer of unmapped glyphs.
    """
    pages = load_pages(path, data)
    if not pages:
        raise UserError("the PDF has no pages", path=path, hint="give a document with text in it")
    _check_text_layer(pages, path)
    placed = classify(pages)
    out: list[str] = []
    hints: list[LineHint] = []
    starts: list[int] = []
    removed: list[str] = []
    printed: set[str] = set()
    by_page: dict[int, list[Placed]] = {}
    for line in placed:
        by_page.setdefault(line.page, []).append(line)
    for number, page in enumerate(pages, 1):
        starts.append(len(out) + 1)
        for line in by_page.get(number, ()):
            if line.furniture:
                removed.append(line.text)
                continue
            out.append(" " * line.indent + line.text.replace("\x02", "-"))
            hints.append(line.hint)
            printed.update(links_in(line.text))
        for uri in page.links:
            if uri not in printed:
                out.append(uri)
                hints.append(NONE)
        printed.clear()
    log.debug("%s: %d pages, %d furniture lines removed", path, len(pages), len(removed))
    return PdfText("\n".join(out), tuple(starts), len(pages), tuple(removed), tuple(hints))
