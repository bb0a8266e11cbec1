"""Render a document's text as a PDF in UN layout (for tests and ``unmt bench segment --pdf``).

The input is text as extracted from a UN PDF (one printed line a line, a block of ``undocs.org``
link lines closing each page). Each page of the text becomes a page of the PDF: its printed lines
at their indentation, footnote lines in small type under a footnote rule, the link lines turned
into hyperlink annotations of the page (not printed), and the furniture the extraction of a real
UN PDF carries: the document symbol as running header from page 2 on, page numbers ``n/N`` and
the job number (``21-01828 (C)``) in the footer, a bar-code number on page 1. Chinese is set in
reportlab's built-in CID font STSong-Light (Adobe-GB1, not embedded; text extraction maps it
through the UniGB-UCS2-H CMap), English in Times-Roman.

Needs reportlab (``pip install 'unmt[bench]'``; the test extra has it).
"""

from __future__ import annotations

from pathlib import Path

from unmt.errors import UserError
from unmt.pipeline.segment.clean import is_link_line

_PAGE_W, _PAGE_H = 595.0, 842.0  # A4 in points
_LEFT, _TOP, _BOTTOM = 72.0, 770.0, 90.0
_SIZE, _LEADING, _NOTE_SIZE = 10.0, 15.0, 8.0
_CJK_FONT = "STSong-Light"


def text_pages(text: str) -> list[list[str]]:
    """The pages of extracted text: each ends after a run of link lines (blank lines dropped)."""
    pages: list[list[str]] = [[]]
    prev_link = False
    for raw in text.split("\n"):
        line = raw.rstrip()
        if not line.strip():
            continue
        link = is_link_line(line.strip())
        if prev_link and not link:
            pages.append([])
        pages[-1].append(line)
        prev_link = link
    return [p for p in pages if p]


def _canvas(path: Path, lang: str, compress: bool = False) -> tuple[object, str]:
    try:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas
    except ImportError:
        raise UserError(
            "rendering PDFs needs reportlab", hint="pip install reportlab (or 'unmt[bench]')"
        ) from None
    font = "Times-Roman"
    if lang == "zh":
        pdfmetrics.registerFont(UnicodeCIDFont(_CJK_FONT))
        font = _CJK_FONT
    c = canvas.Canvas(
        str(path), pagesize=(_PAGE_W, _PAGE_H), invariant=1, pageCompression=int(compress)
    )
    return c, font


def render_pdf(
    text: str,
    path: str | Path,
    *,
    lang: str = "zh",
    symbol: str = "E/CN.15/2021/5",
    job: str = "21-01828 (C)",
    max_lines: int = 44,
    compress: bool = False,
) -> int:
    """Write ``text`` as a UN-layout PDF at ``path``; return the number of pages.

    A text page longer than ``max_lines`` printed lines goes on over several PDF pages (its links
    stay with the last of them). ``compress``: Flate-compressed page streams.
    """
    out = Path(path)
    c, font = _canvas(out, lang, compress)
    pages: list[tuple[list[str], list[str]]] = []
    for page in text_pages(text):
        body = [ln for ln in page if not is_link_line(ln.strip())]
        links = [u for ln in page if is_link_line(ln.strip()) for u in ln.split()]
        chunks = [body[i : i + max_lines] for i in range(0, len(body), max_lines)] or [[]]
        pages.extend((chunk, []) for chunk in chunks[:-1])
        pages.append((chunks[-1], links))
    total = len(pages)
    for number, (body, links) in enumerate(pages, 1):
        _page(c, font, body, links, number, total, symbol, job)
        c.showPage()  # type: ignore[attr-defined]
    c.save()  # type: ignore[attr-defined]
    return total


def _page(
    c: object,
    font: str,
    body: list[str],
    links: list[str],
    number: int,
    total: int,
    symbol: str,
    job: str,
) -> None:
    odd = number % 2 == 1
    right = _PAGE_W - _LEFT
    if number > 1:  # running header: the symbol, outside edge
        c.setFont("Helvetica-Bold", 9)  # type: ignore[attr-defined]
        if odd:
            c.drawRightString(right, 800, symbol)  # type: ignore[attr-defined]
        else:
            c.drawString(_LEFT, 800, symbol)  # type: ignore[attr-defined]
    y = _TOP
    rule_drawn = False
    for line in body:
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        note = stripped.startswith("*")
        size = _NOTE_SIZE if note else _SIZE
        if note and not rule_drawn:
            y -= 6
            c.line(_LEFT, y + size + 2, _LEFT + 120, y + size + 2)  # type: ignore[attr-defined]
            rule_drawn = True
        c.setFont(font, size)  # type: ignore[attr-defined]
        c.drawString(_LEFT + indent * size / 2, y, stripped)  # type: ignore[attr-defined]
        y -= _LEADING if not note else size + 3
    for k, uri in enumerate(links):  # invisible hyperlinks over the page's text area
        top = _TOP - k * 4
        c.linkURL(uri, (_LEFT, top - 4, _LEFT + 200, top), relative=0)  # type: ignore[attr-defined]
    c.setFont("Helvetica", 8)  # type: ignore[attr-defined]
    folio = f"{number}/{total}"
    if number == 1:
        c.drawString(_LEFT, 50, job)  # type: ignore[attr-defined]
        digits = "".join(ch for ch in job if ch.isdigit())
        c.drawString(_LEFT, 40, f"*{digits}*")  # type: ignore[attr-defined]
    elif odd:
        c.drawString(_LEFT, 50, job)  # type: ignore[attr-defined]
        c.drawRightString(right, 50, folio)  # type: ignore[attr-defined]
    else:
        c.drawString(_LEFT, 50, folio)  # type: ignore[attr-defined]
        c.drawRightString(right, 50, job)  # type: ignore[attr-defined]
