"""Export finished runs as a TMX 1.4b translation memory (zh-CN -> en).

One ``<tu>`` per bead that has text on both sides (1-0 and 0-1 beads carry no translation unit
and are counted as left out). Each TU has ``tuid`` (the row id) and ``<prop>``s ``x-doc``,
``x-para``, ``x-bead`` (shape) and ``x-en-origin`` (``reference`` or ``mt``). Characters XML 1.0
does not allow are dropped. The file is written atomically and parsed back before it is kept.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from unmt import __version__
from unmt.errors import UserError
from unmt.fileio import atomic_output
from unmt.pipeline.export.rows import ExportSet

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
    return escape(_INVALID_XML.sub("", value))


def _attr(value: str) -> str:
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


def export_tmx(
    export: ExportSet, path: str | Path, *, created: datetime | None = None
) -> TmxExport:
    """Write ``export``'s beads as TMX 1.4b to ``path`` and check it by parsing it back.

    Args:
        export: the finished documents (``export_rows.collect``).
        path: the ``.tmx`` file to write.
        created: the header's creation date (now, in UTC, by default).
    """
    stamp = (created or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    units = left_out = 0
    dest = Path(path)
    with atomic_output(dest) as fh:
        _write_header(fh, stamp)
        for row in export.rows():
            zh, en = row.zh.strip(), row.en.strip()
            if not zh or not en:
                left_out += 1
                continue
            fh.write(f"    <tu tuid={_attr(row.id)}>\n")
            for name, value in (("x-doc", row.doc), ("x-para", row.para), ("x-bead", row.bead)):
                if value:
                    fh.write(f'      <prop type="{name}">{_text(value)}</prop>\n')
            origin = _text(row.en_origin)
            fh.write(f'      <prop type="x-en-origin">{origin}</prop>\n')
            fh.write(f'      <tuv xml:lang="{SRC_LANG}"><seg>{_text(zh)}</seg></tuv>\n')
            fh.write(f'      <tuv xml:lang="{TGT_LANG}"><seg>{_text(en)}</seg></tuv>\n')
            fh.write("    </tu>\n")
            units += 1
        fh.write("  </body>\n</tmx>\n")
    try:
        parsed = check_tmx(dest)
    except UserError:
        dest.unlink(missing_ok=True)
        raise
    if parsed != units:
        dest.unlink(missing_ok=True)
        raise RuntimeError(f"TMX check: wrote {units} units but parsed back {parsed}")
    return TmxExport(path=dest, units=units, left_out=left_out)


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
