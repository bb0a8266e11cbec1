"""Reading input documents: plain text in any of the encodings UN files come in, and .docx.

Plain text is decoded by :func:`unmt.textcodec.decode_bytes`: UTF-8 (with or without BOM),
UTF-16 (with a BOM, or without one), GB18030 (a superset of GBK and GB2312) or Big5. Line ends are
normalised to ``\\n`` (CRLF, lone CR and form feeds become line breaks). A ``.docx`` file is checked
and read by :mod:`unmt.pipeline.segment.docxfile` as Word displays it: one line per paragraph
with its automatic number, one per table row, footnotes at the end, and a hint per line from
the styles (:mod:`unmt.pipeline.segment.docxbody`). A ``.pdf`` (or any file that starts
``%PDF-``) is read page by page with PDFium (:mod:`unmt.pipeline.segment.pdf`). At most
:data:`MAX_DOCUMENT_BYTES` are read from one input (``/dev/zero`` is an error, not a
``MemoryError``), and the file is read once.

Every problem a user can fix (missing file, directory, link loop, empty or whitespace-only file,
binary data, undecodable bytes, broken or hostile .docx or PDF) raises
:class:`unmt.errors.UserError` naming the file.
"""

from __future__ import annotations

import bisect
import errno
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from unmt.errors import UserError
from unmt.fileio import STDIO, read_bytes
from unmt.pipeline.segment.clean import document_symbol, looks_hard_wrapped
from unmt.pipeline.segment.docxfile import MAX_UNPACKED, read_docx
from unmt.pipeline.segment.hints import LineHint
from unmt.textcodec import decode_bytes

__all__ = ["MAX_DOCUMENT_BYTES", "MAX_UNPACKED", "RawText", "normalise_newlines", "read_input"]

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
        hints: what the reader knows of each line of ``text`` beyond its characters (a PDF's
            layout; :mod:`unmt.pipeline.segment.hints`); empty for plain text.
    """

    path: str
    text: str
    sha256: str
    encoding: str
    wrapped: bool
    page_lines: tuple[int, ...] = ()
    furniture: tuple[str, ...] = ()
    hints: tuple[LineHint, ...] = ()

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


#: most bytes of an input document read (a UN report's: a few MB; a scanned PDF's: tens of MB)
MAX_DOCUMENT_BYTES = 256 * 2**20


def _read_stdin() -> RawText:
    """Plain text on standard input (``-``); a .docx or PDF must be given as a file."""
    try:
        data = read_bytes(STDIO, limit=MAX_DOCUMENT_BYTES)
    except OSError as exc:
        raise UserError(f"cannot read standard input ({exc.strerror})", path=STDIO) from None
    if data.startswith((b"%PDF-", b"PK\x03\x04")):
        raise UserError(
            "a PDF or .docx on standard input", path=STDIO, hint="give it as a file name instead"
        )
    decoded, encoding = decode_bytes(data, STDIO)
    text = normalise_newlines(decoded)
    if not text.strip():
        raise UserError("standard input has no text", path=STDIO, hint="pipe a document in")
    return RawText(STDIO, text, hashlib.sha256(data).hexdigest(), encoding, True)


def _read_file(path: str | Path) -> bytes:
    """The bytes of an input file (at most :data:`MAX_DOCUMENT_BYTES`), or a clear error."""
    try:
        return read_bytes(path, limit=MAX_DOCUMENT_BYTES)
    except FileNotFoundError:
        raise UserError("no such file", path=path, hint="check the path") from None
    except IsADirectoryError:
        raise UserError(
            "this is a directory, not a file", path=path, hint="give a .txt or .docx file"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UserError(
                "a loop of symbolic links (it never reaches a file)",
                path=path,
                hint="point the link at the document itself",
            ) from None
        raise UserError(f"cannot read the file ({exc.strerror})", path=path) from None


def read_input(path: str | Path) -> RawText:
    """Read a .txt, .docx or .pdf input document (``-``: plain text on standard input).

    At most :data:`MAX_DOCUMENT_BYTES` are read: an endless device (``/dev/zero``) is an error,
    a named pipe is read to its end.

    Raises:
        UserError: the file is missing, a directory, a loop of links, unreadable, too large,
            empty, whitespace-only, binary, undecodable, a broken or hostile .docx or PDF.
    """
    if str(path) == STDIO:
        return _read_stdin()
    data = _read_file(path)
    if not data:
        raise UserError("the file is empty", path=path, hint="give a document with text in it")
    p = Path(path)
    digest = hashlib.sha256(data).hexdigest()
    page_lines: tuple[int, ...] = ()
    furniture: tuple[str, ...] = ()
    hints: tuple[LineHint, ...] = ()
    suffix = p.suffix.lower()
    if suffix == ".docx":
        docx = read_docx(data, path)
        text, encoding, hints = "\n".join(docx.lines), "docx", docx.hints
        for warning in docx.warnings:
            log.warning("%s: %s", path, warning)
        # printed lines or paragraphs: told from the body text, table rows and footnotes aside
        body = [line for k, line in enumerate(docx.lines)
                if not docx.hints or docx.hints[k].role not in ("table", "footnote")]  # fmt: skip
        wrapped = looks_hard_wrapped(body)
        if wrapped:
            log.warning(
                "%s: its paragraphs are printed lines (a .docx made from a PDF?): re-joining "
                "them like text extracted from a PDF",
                path,
            )
    elif suffix == ".pdf" or data.startswith(b"%PDF-"):
        from unmt.pipeline.segment.pdf import pdf_text

        pdf = pdf_text(p, data)
        text, encoding, wrapped = pdf.text, "pdf", True
        page_lines, furniture, hints = pdf.page_lines, pdf.furniture, pdf.hints
    else:
        decoded, encoding = decode_bytes(data, path)
        text, wrapped = normalise_newlines(decoded), True
    if not text.strip():
        raise UserError(
            "the file contains only whitespace", path=path, hint="give a document with text in it"
        )
    log.debug("read %s: %d chars, %s", path, len(text), encoding)
    return RawText(str(path), text, digest, encoding, wrapped, page_lines, furniture, hints)
