"""Reading input documents: plain text in any of the encodings UN files come in, and .docx.

Plain text is decoded as UTF-8 (with or without BOM), UTF-16 (with a BOM, or without one when
the byte pattern leaves no doubt) or GB18030 (a superset of GBK and GB2312). Line ends are
normalised to ``\\n`` (CRLF, lone CR and form feeds become line breaks). A ``.docx`` file is read
with python-docx: body paragraphs and table-cell paragraphs in document order, one per line. A
``.pdf`` (or any file that starts ``%PDF-``) is read page by page with PDFium
(:mod:`unmt.pipeline.segment.pdf`).

Every problem a user can fix (missing file, directory, empty or whitespace-only file, binary data,
undecodable bytes, broken .docx) raises :class:`unmt.errors.UserError` naming the file.
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from unmt.errors import UserError

log = logging.getLogger(__name__)

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0")


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
            extracted from a PDF; a PDF); False when each line is a whole paragraph (.docx).
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
        from unmt.pipeline.segment.clean import document_symbol

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


def _utf16_without_bom(data: bytes) -> str | None:
    """The codec name when ``data`` is clearly BOM-less UTF-16 (NULs in every other byte)."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd and not even and odd * 4 >= len(data) // 2:
        return "utf-16-le"
    if even and not odd and even * 4 >= len(data) // 2:
        return "utf-16-be"
    return None


def _strict(data: bytes, codec: str, path: str | Path) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise UserError(
            f"cannot decode the file as {codec}: invalid bytes at byte offset {exc.start}",
            path=path,
            hint="save the file as UTF-8 text",
        ) from None


def decode_bytes(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode the bytes of a text file; return ``(text, encoding)``.

    Raises:
        UserError: binary data, or bytes that are valid in none of the supported encodings (the
            message names the byte offset of the first bad byte).
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", path), "utf-8-sig"
    if data.startswith(_UTF16_BOMS):
        return _strict(data, "utf-16", path), "utf-16"
    head = data[:8192]
    if head.startswith(_BINARY_MAGIC):
        raise UserError(
            "this is a binary file (a .docx/image), not plain text",
            path=path,
            hint="give a .txt file (UTF-8, UTF-16 or GB18030), or a .docx/.pdf file named so",
        )
    if b"\x00" in head:
        codec = _utf16_without_bom(data)
        if codec is None:
            raise UserError(
                "this is a binary file (it contains NUL bytes), not plain text",
                path=path,
                hint="give a .txt file (UTF-8, UTF-16 or GB18030) or a .docx file",
            )
        return _strict(data, codec, path), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Mostly-valid UTF-8 with a few bad bytes is broken UTF-8, not GB18030: GB text almost never
    # forms valid multi-byte UTF-8 sequences.
    loose = data.decode("utf-8", errors="replace")
    bad = loose.count("\ufffd")
    good = sum(1 for ch in loose if ord(ch) > 0x7F) - bad
    if good >= 4 * bad:
        raise UserError(
            f"invalid UTF-8 at byte offset {utf8_error.start}",
            path=path,
            hint="fix or remove the damaged bytes, or save the file as UTF-8 text",
        )
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"cannot decode the file as UTF-8 (bad byte at offset {utf8_error.start}) "
            f"or GB18030 (bad byte at offset {exc.start})",
            path=path,
            hint="save the file as UTF-8 text",
        ) from None
    guess = _guess_encoding(data)
    if guess is not None and not _is_cjk_codec(guess):
        # GB18030 decodes most byte strings; a Latin-1 or cp1252 file would become mojibake
        raise UserError(
            f"invalid UTF-8 at byte offset {utf8_error.start}, and the file does not look like "
            f"GB18030 either (it looks like {guess})",
            path=path,
            hint="save the file as UTF-8 text",
        )
    return text, "gb18030"


def _is_cjk_codec(codec: str) -> bool:
    """True for multi-byte East Asian codecs (short GBK text is often guessed as one of them)."""
    try:
        return len("中".encode(codec, errors="ignore")) >= 2
    except LookupError:
        return False


def _guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's best guess for non-UTF-8 bytes (None when it has none)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: without it, GB18030 is trusted
        return None
    best = from_bytes(data[:200_000]).best()
    return None if best is None else str(best.encoding)


def _read_docx(path: Path) -> str:
    import zipfile

    import docx  # python-docx; light, but only needed for .docx input
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

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
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                for cell in row.cells:
                    lines.extend(p.text for p in cell.paragraphs)
    return normalise_newlines("\n".join(lines))


def read_input(path: str | Path) -> RawText:
    """Read a .txt, .docx or .pdf input document.

    Raises:
        UserError: the file is missing, a directory, unreadable, empty, whitespace-only, binary,
            undecodable, or a broken .docx.
    """
    p = Path(path)
    if not p.exists():
        raise UserError("no such file", path=path, hint="check the path")
    if p.is_dir():
        raise UserError(
            "this is a directory, not a file", path=path, hint="give a .txt or .docx file"
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read the file ({exc.strerror})", path=path) from None
    if not data:
        raise UserError("the file is empty", path=path, hint="give a document with text in it")
    digest = hashlib.sha256(data).hexdigest()
    page_lines: tuple[int, ...] = ()
    furniture: tuple[str, ...] = ()
    suffix = p.suffix.lower()
    if suffix == ".docx":
        text, encoding, wrapped = _read_docx(p), "docx", False
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
