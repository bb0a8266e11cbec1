"""Reading input documents: plain text in any of the encodings UN files come in, and .docx.

Plain text is decoded by :func:`unmt.textcodec.decode_bytes`: UTF-8 (with or without BOM),
UTF-16 (with a BOM, or without one), GB18030 (a superset of GBK and GB2312) or Big5. Line ends are
normalised to ``\\n`` (CRLF, lone CR and form feeds become line breaks). A ``.docx`` file is read
with python-docx: body paragraphs and table-cell paragraphs in document order, one per line. A
``.pdf`` (or any file that starts ``%PDF-``) is read page by page with PDFium
(:mod:`unmt.pipeline.segment.pdf`).

Every problem a user can fix (missing file, directory, empty or whitespace-only file, binary data,
undecodable bytes, broken .docx) raises :class:`unmt.errors.UserError` naming the file.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.fileio import read_bytes
from unmt.pipeline.segment.clean import document_symbol, looks_hard_wrapped
from unmt.textcodec import decode_bytes

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RawText:
    """A decoded input file.

    Attributes:
        path: the path as given.
        text: the decoded text, line ends normalised to ``\\n``.
        sha256: hex digest of the raw bytes of the file.
        encoding: ``utf-8``, ``utf-8-sig``, ``utf-16``, ``utf-16-le``, ``utf-16-be``, ``gb18030``
            or ``docx``.
        wrapped: True when lines may be hard-wrapped inside paragraphs (plain text, typically
            extracted from a PDF; a PDF; a .docx whose paragraphs are printed lines); False when
            each line is a whole paragraph (.docx).
        page_lines: for a PDF, the 1-based text line each page starts on (else empty).
        furniture: for a PDF, the page-furniture lines taken out of ``text``.
    """

    path: str
    text: str
    sha256: str
    encoding: str
    wrapped: bool
    page_lines: tuple[int, ...] = ()
    furniture: tuple[str, ...] = ()

    @property
    def symbol(self) -> str:
        """The document symbol the document carries as a line of its own (``""`` if none)."""
        return document_symbol((*self.furniture, *self.text.split("\n", 2000)[:2000]))

    def page_of(self, line: int) -> int:
        """The 1-based page a 1-based text line is on (0 when the input has no pages)."""
        return bisect.bisect_right(self.page_lines, line) if self.page_lines else 0


def normalise_newlines(text: str) -> str:
    """CRLF, lone CR and form feed (a page break in pdftotext output) become ``\\n``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        text = text.replace("\f", "\n")
    return text


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_INLINE = {f"{_W}tab": "\t", f"{_W}br": " ", f"{_W}cr": " ", f"{_W}noBreakHyphen": "-"}


def _paragraph_text(p: Any) -> str:
    """All the text of a ``w:p`` element in document order: runs inside hyperlinks, tracked
    insertions, smart tags, content controls and field results too (python-docx's
    ``Paragraph.text`` skips some of them); deleted text and field codes are not text."""
    parts: list[str] = []
    for el in p.iter(f"{_W}t", *_INLINE):
        parts.append(el.text or "" if el.tag == f"{_W}t" else _INLINE[el.tag])
    return "".join(parts)


def _indent_spaces(paragraph: Any) -> int:
    """A paragraph's indentation as leading spaces (half an em of 10-point type each), as text
    extracted from a PDF carries it: the title rules compare the indentation of lines."""
    fmt = paragraph.paragraph_format
    points = sum(x.pt for x in (fmt.left_indent, fmt.first_line_indent) if x is not None)
    return max(0, round(points / 5))


#: most bytes a .docx may unpack to (a UN report's unpacks to a few MB; images included)
MAX_UNPACKED = 256 * 2**20


def _check_container(path: Path) -> None:
    """Refuse a zip container that would unpack to more than :data:`MAX_UNPACKED` bytes (a zip
    bomb), from its directory alone, before anything is inflated."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UserError(
            f"not a readable .docx file ({exc.__class__.__name__})",
            path=path,
            hint="open and re-save it in a word processor, or export it as UTF-8 text",
        ) from None
    if total > MAX_UNPACKED:
        raise UserError(
            f"the .docx would unpack to {total / 2**20:,.0f} MiB (at most "
            f"{MAX_UNPACKED // 2**20} MiB are read): a damaged or hostile file",
            path=path,
            hint="open and re-save it in a word processor, or export it as UTF-8 text",
        )


def _read_docx(path: Path) -> str:
    import zipfile

    import docx  # python-docx; light, but only needed for .docx input
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_container(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UserError(
            f"not a readable .docx file ({exc.__class__.__name__})",
            path=path,
            hint="open and re-save it in a word processor, or export it as UTF-8 text",
        ) from None
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            lines.append(" " * _indent_spaces(paragraph) + _paragraph_text(child))
        elif tag == "tbl":
            for row in Table(child, document).rows:
                for cell in row.cells:
                    lines.extend(_paragraph_text(p._p) for p in cell.paragraphs)
    return normalise_newlines("\n".join(lines))


def _read_stdin() -> RawText:
    """Plain text on standard input (``-``); a .docx or PDF must be given as a file."""

    data = read_bytes("-")
    if data.startswith((b"%PDF-", b"PK\x03\x04")):
        raise UserError(
            "a PDF or .docx on standard input", path="-", hint="give it as a file name instead"
        )
    decoded, encoding = decode_bytes(data, "-")
    text = normalise_newlines(decoded)
    if not text.strip():
        raise UserError("standard input has no text", path="-", hint="pipe a document in")
    return RawText("-", text, hashlib.sha256(data).hexdigest(), encoding, True)


def read_input(path: str | Path) -> RawText:
    """Read a .txt, .docx or .pdf input document (``-``: plain text on standard input).

    Raises:
        UserError: the file is missing, a directory, unreadable, empty, whitespace-only, binary,
            undecodable, or a broken .docx.
    """
    if str(path) == "-":
        return _read_stdin()
    p = Path(path)
    if not p.exists():
        raise UserError("no such file", path=path, hint="check the path")
    if p.is_dir():
        raise UserError(
            "this is a directory, not a file", path=path, hint="give a .txt or .docx file"
        )
    try:
        data = read_bytes(p)
    except OSError as exc:
        raise UserError(f"cannot read the file ({exc.strerror})", path=path) from None
    if not data:
        raise UserError("the file is empty", path=path, hint="give a document with text in it")
    digest = hashlib.sha256(data).hexdigest()
    page_lines: tuple[int, ...] = ()
    furniture: tuple[str, ...] = ()
    suffix = p.suffix.lower()
    if suffix == ".docx":
        text, encoding = _read_docx(p), "docx"
        wrapped = looks_hard_wrapped(text.split("\n"))
        if wrapped:
            log.warning(
                "%s: its paragraphs are printed lines (a .docx made from a PDF?): re-joining "
                "them like text extracted from a PDF",
                path,
            )
    elif suffix == ".pdf" or data.startswith(b"%PDF-"):
        from unmt.pipeline.segment.pdf import pdf_text

        pdf = pdf_text(p)
        text, encoding, wrapped = pdf.text, "pdf", True
        page_lines, furniture = pdf.page_lines, pdf.furniture
    else:
        decoded, encoding = decode_bytes(data, path)
        text, wrapped = normalise_newlines(decoded), True
    if not text.strip():
        raise UserError(
            "the file contains only whitespace", path=path, hint="give a document with text in it"
        )
    log.debug("read %s: %d chars, %s", path, len(text), encoding)
    return RawText(str(path), text, digest, encoding, wrapped, page_lines, furniture)
