"""Export finished runs as a TMX 1.4b translation memory (zh-CN -> en).

One ``<tu>`` per bead that has text on both sides (1-0 and 0-1 beads carry no translation unit
and are counted as left out). Each TU has ``tuid`` (the row id) and ``<prop>``s ``x-doc``,
``x-para``, ``x-bead`` (shape) and ``x-en-origin`` (``reference`` or ``mt``). Characters XML 1.0
does not allow are dropped. The file is written as the rows come and parsed back when complete;
it lives in the export's staging folder until the whole export succeeds.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from unmt import __version__
from unmt.errors import UserError
from unmt.pipeline.export.filters import RowFilter
from unmt.records import Pair

SRC_LANG = "zh-CN"
TGT_LANG = "en"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class TmxExport:
    """What ``export_tmx`` wrote."""

    path: Path
    units: int
    left_out: int


def _text(value: str) -> str:
    """``value`` as XML text: characters XML cannot hold dropped, ``&<>`` escaped (the common
    case, printable text without them, costs two scans)."""
    if not value.isprintable():
        value = _INVALID_XML.sub("", value)
    if "&" in value or "<" in value or ">" in value:
        value = escape(value)
    return value


_PLAIN_ATTR = re.compile(r"[\w.:+/()\- ]*")


def _attr(value: str) -> str:
    """``value`` as a quoted XML attribute (a segment id of word characters and ``.:+-``
    needs nothing done)."""
    if _PLAIN_ATTR.fullmatch(value):
        return f'"{value}"'
    return quoteattr(_INVALID_XML.sub("", value))


def _write_header(fh: IO[str], created: str) -> None:
    fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    fh.write('<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n')
    fh.write('<tmx version="1.4">\n')
    fh.write(
        f'  <header creationtool="unmt" creationtoolversion={_attr(__version__)}'
        f' segtype="sentence" o-tmf="unmt-jsonl" adminlang="en" srclang="{SRC_LANG}"'
        f' datatype="plaintext" creationdate="{created}"/>\n'
    )
    fh.write("  <body>\n")


class TmxWriter:
    """The translation memory as rows come (:meth:`add`), checked by parsing it back when it
    is complete (:meth:`finish`). Rows with an empty side are no unit: each format's filter
    leaves them out before they come (``one-sided``), and any that still come are counted.

    Args:
        path: the ``.tmx`` file (normally in the export's staging folder, which is removed when
            the export fails).
        row_filter: the rows this format leaves out.
        created: the header's creation date (now, in UTC, by default).
    """

    name = "tmx"

    def __init__(
        self, path: str | Path, row_filter: RowFilter, *, created: datetime | None = None
    ) -> None:
        self.path, self.filter = Path(path), row_filter
        self.left_out: Counter[str] = Counter()
        self.units = 0
        self.fh = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        _write_header(self.fh, (created or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ"))

    def add(self, row: Pair) -> None:
        zh, en = row.zh.strip(), row.en.strip()
        if not zh or not en:
            self.left_out["one-sided bead"] += 1
            return
        doc, para, bead = row.doc, row.para, row.bead
        if doc and para and bead:  # the common case: one string
            self.fh.write(
                f"    <tu tuid={_attr(row.id)}>\n"
                f'      <prop type="x-doc">{_text(doc)}</prop>\n'
                f'      <prop type="x-para">{_text(para)}</prop>\n'
                f'      <prop type="x-bead">{_text(bead)}</prop>\n'
                f'      <prop type="x-en-origin">{_text(row.en_origin)}</prop>\n'
                f'      <tuv xml:lang="{SRC_LANG}"><seg>{_text(zh)}</seg></tuv>\n'
                f'      <tuv xml:lang="{TGT_LANG}"><seg>{_text(en)}</seg></tuv>\n'
                "    </tu>\n"
            )
            self.units += 1
            return
        props = "".join(
            f'      <prop type="{name}">{_text(value)}</prop>\n'
            for name, value in (("x-doc", doc), ("x-para", para), ("x-bead", bead))
            if value
        )
        self.fh.write(
            f"    <tu tuid={_attr(row.id)}>\n{props}"
            f'      <prop type="x-en-origin">{_text(row.en_origin)}</prop>\n'
            f'      <tuv xml:lang="{SRC_LANG}"><seg>{_text(zh)}</seg></tuv>\n'
            f'      <tuv xml:lang="{TGT_LANG}"><seg>{_text(en)}</seg></tuv>\n'
            "    </tu>\n"
        )
        self.units += 1

    def finish(self) -> TmxExport:
        """Close the file and check it (:func:`verify_written`)."""
        self.fh.write("  </body>\n</tmx>\n")
        self.fh.close()
        verify_written(self.path, self.units)
        return TmxExport(path=self.path, units=self.units, left_out=sum(self.left_out.values()))

    def close(self) -> None:
        """Close the file (an export that failed: its staging folder goes)."""
        self.fh.close()


#: the tags every unit of :class:`TmxWriter` has once (the bytes as written)
_UNIT_TAGS = (
    b"<tu tuid=",
    f'<tuv xml:lang="{SRC_LANG}"><seg>'.encode(),
    f'<tuv xml:lang="{TGT_LANG}"><seg>'.encode(),
)


def verify_written(path: str | Path, units: int) -> None:
    """What :func:`check_tmx` checks, for a file :class:`TmxWriter` wrote, at the speed of C:
    the file is parsed by expat (well-formed XML, no Python call per element), and its unit
    tags are counted in its bytes: with every ``<`` of the text escaped, the only tags in the
    file are the writer's, so each count equal to ``units`` means that many units, each with a
    ``zh-CN`` and an ``en`` segment. Raises ``RuntimeError`` (a bug, not the user's input).
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()
    counts = dict.fromkeys(_UNIT_TAGS, 0)
    head, carry = b"", b""
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                parser.Parse(chunk, False)
                head = head or chunk[:600]
                data = carry + chunk
                for tag in _UNIT_TAGS:  # those that end in this chunk
                    counts[tag] += data.count(tag) - carry.count(tag)
                carry = data[-64:]
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise RuntimeError(f"TMX check: not well-formed XML ({exc})") from None
    if b'<tmx version="1.4">' not in head or f'srclang="{SRC_LANG}"'.encode() not in head:
        raise RuntimeError("TMX check: no TMX 1.4 header")
    if any(n != units for n in counts.values()):
        raise RuntimeError(f"TMX check: wrote {units} units but found {list(counts.values())}")


def check_tmx(path: str | Path) -> int:
    """Parse a TMX file and check its shape; return the number of translation units.

    Every ``<tu>`` must have exactly one ``zh-CN`` and one ``en`` ``<tuv>`` with a ``<seg>``.
    The file is read as a stream, each unit dropped once checked: memory does not grow with it.
    """
    count = 0
    seen_header = False
    body: ET.Element | None = None
    try:
        events = ET.iterparse(path, events=("start", "end"))
        _, root = next(events)
        if root.tag != "tmx" or root.get("version") != "1.4":
            raise UserError("not a TMX 1.4 file", path=path)
        for event, elem in events:
            if event == "start":
                if elem.tag == "body":
                    body = elem
                continue
            if elem.tag == "header":
                if elem.get("srclang") != SRC_LANG:
                    raise UserError(f"TMX header srclang is not {SRC_LANG}", path=path)
                seen_header = True
            elif elem.tag == "tu":
                langs = sorted(tuv.get(_XML_LANG, "") for tuv in elem.findall("tuv"))
                if langs != sorted([SRC_LANG, TGT_LANG]) or any(
                    tuv.find("seg") is None for tuv in elem.findall("tuv")
                ):
                    tuid = elem.get("tuid")
                    raise UserError(f"TMX unit {tuid!r} lacks a zh-CN or en <seg>", path=path)
                count += 1
                if body is not None:
                    body.clear()  # the unit is checked: let it go
    except ET.ParseError as exc:
        raise UserError(f"not well-formed XML ({exc})", path=path) from exc
    except StopIteration:
        raise UserError("not well-formed XML (empty file)", path=path) from None
    if not seen_header:
        raise UserError(f"TMX header missing or srclang is not {SRC_LANG}", path=path)
    if body is None:
        raise UserError("TMX has no <body>", path=path)
    return count
