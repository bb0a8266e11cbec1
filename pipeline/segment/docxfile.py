"""Reading .docx documents: checked as a zip container and as XML before python-docx sees them.

A .docx is a zip archive of XML parts. Before python-docx parses anything, the file is refused
with a :class:`UserError` that says what to do when it is:

* an OLE compound file (a password-protected Office file, or a Word 97-2003 ``.doc``);
* a zip with more than :data:`MAX_ENTRIES` entries, that would unpack to more than
  :data:`MAX_UNPACKED` bytes (a zip bomb; counted from the directory, before anything is
  inflated: Python's zipfile never gives more than the sizes the directory declares), with an
  encrypted entry, or with an entry compressed other than stored or deflated (Deflate64...);
* holding an XML part larger than :data:`MAX_XML_PART`, not well-formed, with a document type
  declaration (entity definitions: the "billion laughs"), or nested deeper than
  :data:`MAX_XML_DEPTH` elements. Every part is parsed with entity resolution, DTD loading and
  the network off and libxml2's own size limits on (``huge_tree=False``).

The text is then read as Word displays it, automatic numbers, tables and footnotes included
(see :func:`read_docx`).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.pipeline.segment.docxbody import DocxText, read_body

#: most bytes a .docx may unpack to (a UN report's unpacks to a few MB; images included)
MAX_UNPACKED = 256 * 2**20
#: most entries of a .docx's zip (a report has some tens; each costs memory to list)
MAX_ENTRIES = 10_000
#: most bytes of one XML part (a 300-page report's document.xml: some tens of MB at most)
MAX_XML_PART = 64 * 2**20
#: deepest nesting of XML elements (a report's: under 60, text boxes in nested tables included)
MAX_XML_DEPTH = 128

HINT = "open and re-save it in a word processor, or export it as UTF-8 text"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_METHODS = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 98: "PPMd", 99: "AES"}
_POSITION = re.compile(r"(?:,? line \d+)?, line \d+, column \d+$")


def _refuse(what: str, path: str | Path, hint: str = HINT) -> UserError:
    return UserError(what, path=path, hint=hint)


def _entry_count(data: bytes) -> int | None:
    """The number of entries the zip's end-of-central-directory record (or its ZIP64 one)
    declares; None when there is no such record (zipfile then says what is wrong)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or end + 22 > len(data):
        return None
    count = struct.unpack_from("<H", data, end + 10)[0]
    locator = end - 20
    if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        record = struct.unpack_from("<Q", data, locator + 8)[0]
        if record + 56 <= len(data) and data[record : record + 4] == b"PK\x06\x06":
            count = max(count, struct.unpack_from("<Q", data, record + 32)[0])
    return int(count)


def _check_zip(data: bytes, path: str | Path) -> zipfile.ZipFile:
    """The zip archive of a .docx, its directory checked (see the module docstring)."""
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise _refuse(
                "a password-protected Office file, not a readable .docx",
                path,
                "open it in Word, remove the password (File > Info > Protect Document) and "
                "save it again, or export it as UTF-8 text",
            )
        raise _refuse(
            "a Word 97-2003 .doc (an OLE compound file), not a .docx",
            path,
            "open it in a word processor and save it as .docx, or export it as UTF-8 text",
        )
    count = _entry_count(data)
    if count is not None and count > MAX_ENTRIES:
        raise _refuse(
            f"the .docx has {count:,} zip entries (at most {MAX_ENTRIES:,} are read): a damaged "
            "or hostile file",
            path,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise _refuse(f"not a readable .docx file (a broken zip: {exc})", path) from None
    for info in infos:
        if info.flag_bits & 0x41 or info.compress_type == 99:
            raise _refuse(
                f"the .docx is encrypted (its entry {info.filename} needs a password)",
                path,
                "save an unprotected copy in a word processor, or export it as UTF-8 text",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            method = _METHODS.get(info.compress_type, f"method {info.compress_type}")
            raise _refuse(
                f"the .docx's entry {info.filename} is compressed with {method}, which Word "
                "never writes and unmt cannot read",
                path,
            )
    total = sum(info.file_size for info in infos)
    if total > MAX_UNPACKED:
        raise _refuse(
            f"the .docx would unpack to {total / 2**20:,.0f} MiB (at most "
            f"{MAX_UNPACKED // 2**20} MiB are read): a damaged or hostile file",
            path,
        )
    return archive


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str | Path) -> bytes:
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise _refuse(
            f"not a readable .docx file (its entry {info.filename} is damaged: {exc})", path
        ) from None


def _parser() -> Any:
    """The hardened XML parser every part is read with (see the module docstring)."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


def _check_xml(archive: zipfile.ZipFile, path: str | Path) -> None:
    """Parse every XML part with a hardened parser (see the module docstring)."""
    from lxml import etree

    parser = _parser()
    too_deep = "boolean(" + "/*" * (MAX_XML_DEPTH + 1) + ")"
    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels")):
            continue
        name = info.filename
        if info.file_size > MAX_XML_PART:
            raise _refuse(
                f"the .docx's part {name} is {info.file_size / 2**20:,.0f} MiB of XML (at "
                f"most {MAX_XML_PART // 2**20} MiB are read)",
                path,
            )
        blob = _read_entry(archive, info, path)
        if not blob.strip():
            continue  # python-docx says so if it needs the part
        try:
            tree = etree.fromstring(blob, parser).getroottree()
        except etree.LxmlError as exc:
            message = _POSITION.sub("", str(getattr(exc, "msg", None) or exc))
            if "depth" in message.lower():
                what = f"is nested deeper than {MAX_XML_DEPTH} elements"
            elif "entit" in message.lower():
                what = "defines entities (a document type declaration Word never writes)"
            else:
                line, column = getattr(exc, "position", (0, 0))
                what = f"is not well-formed XML (line {line}, column {column}: {message})"
            raise _refuse(f"not a readable .docx file: its {name} {what}", path) from None
        if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
            raise _refuse(
                f"not a readable .docx file: its {name} has a document type declaration "
                "(<!DOCTYPE>), which Word never writes",
                path,
            )
        if tree.xpath(too_deep):
            raise _refuse(
                f"not a readable .docx file: its {name} is nested deeper than "
                f"{MAX_XML_DEPTH} elements",
                path,
            )


#: the parts read beside the document, by the type of their relationship to it
_PARTS = ("styles", "numbering", "footnotes", "settings")


def _read(data: bytes) -> DocxText:
    import docx  # python-docx; light, but only needed for .docx input
    from lxml import etree

    document = docx.Document(io.BytesIO(data))
    roots: dict[str, Any] = {}
    for rel in document.part.rels.values():
        kind = rel.reltype.rsplit("/", 1)[-1]
        if kind in _PARTS and not rel.is_external and kind not in roots:
            blob = rel.target_part.blob
            roots[kind] = etree.fromstring(blob, _parser()) if blob.strip() else None
    return read_body(document.element.body, **roots)


def read_docx(data: bytes, path: str | Path) -> DocxText:
    """The text of a .docx (its bytes ``data``, read from ``path``) as Word displays it, one
    line per paragraph or table row, and what its styles say of each line
    (:mod:`unmt.pipeline.segment.docxbody`).

    Raises:
        UserError: anything in the module docstring, or a package python-docx cannot read.
    """
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    with _check_zip(data, path) as archive:
        _check_xml(archive, path)
    try:
        return _read(data)
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        etree.LxmlError,
        KeyError,
        ValueError,
        AttributeError,
        TypeError,
        IndexError,
        EOFError,
        zlib.error,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        what = f"{exc.__class__.__name__}: {exc}"
        raise _refuse(f"not a readable .docx file ({what})", path) from None
