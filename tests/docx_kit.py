"""Writing .docx files as Word stores them, for the tests: automatic numbering
(``word/numbering.xml`` and ``w:numPr`` elements), footnotes (``word/footnotes.xml``) and the
shared sample as Word would hold it, its numbers not typed in the text.

python-docx builds the document (paragraphs, styles, tables); it has no numbering or footnote
API, so those parts and elements are written here with lxml and the package is patched as a zip.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XMLNS = f'xmlns:w="{W_NS}"'
_W = f"{{{W_NS}}}"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def lvl(
    ilvl: int,
    fmt: str,
    text: str,
    *,
    start: int | str = 1,
    restart: int | None = None,
    style: str = "",
    suffix: str = "",
) -> str:
    """One ``w:lvl`` of an abstract numbering definition."""
    extra = f'<w:lvlRestart w:val="{restart}"/>' if restart is not None else ""
    extra += f'<w:pStyle w:val="{style}"/>' if style else ""
    extra += f'<w:suff w:val="{suffix}"/>' if suffix else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
        f'<w:lvlText w:val="{escape(text, {chr(34): "&quot;"})}"/></w:lvl>'
    )


def abstract(aid: int, *levels: str) -> str:
    return f'<w:abstractNum w:abstractNumId="{aid}">{"".join(levels)}</w:abstractNum>'


def num(numid: int, aid: int, starts: Mapping[int, int] | None = None) -> str:
    """A ``w:num`` instance; ``starts``: ``w:startOverride`` per level."""
    overrides = "".join(
        f'<w:lvlOverride w:ilvl="{k}"><w:startOverride w:val="{v}"/></w:lvlOverride>'
        for k, v in (starts or {}).items()
    )
    return f'<w:num w:numId="{numid}"><w:abstractNumId w:val="{aid}"/>{overrides}</w:num>'


def numbering_xml(*items: str) -> bytes:
    """``word/numbering.xml`` of abstract definitions and instances (abstract ones first)."""
    return f"<w:numbering {XMLNS}>{''.join(items)}</w:numbering>".encode()


def footnotes_xml(notes: Mapping[int, str]) -> bytes:
    """``word/footnotes.xml``: Word's separator and continuation notes, then ``notes``."""
    body = [
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        "</w:footnote>",
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        "<w:continuationSeparator/></w:r></w:p></w:footnote>",
    ]
    for fid, text in notes.items():
        paras = "".join(
            '<w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
            + (
                '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
                '<w:r><w:t xml:space="preserve"> </w:t></w:r>'
                if k == 0
                else ""
            )
            + f"<w:r><w:t>{escape(line)}</w:t></w:r></w:p>"
            for k, line in enumerate(text.split("\n"))
        )
        body.append(f'<w:footnote w:id="{fid}">{paras}</w:footnote>')
    return f"<w:footnotes {XMLNS}>{''.join(body)}</w:footnotes>".encode()


def _el(xml: str) -> Any:
    return etree.fromstring(f"<w:x {XMLNS}>{xml}</w:x>")[0]


def number(paragraph: Any, numid: int | None, ilvl: int | None = 0) -> Any:
    """Give a python-docx paragraph (or style) a ``w:numPr`` (numId and/or ilvl)."""
    element = getattr(paragraph, "_p", None)
    ppr = element.get_or_add_pPr() if element is not None else paragraph.element.get_or_add_pPr()
    xml = f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else ""
    xml += f'<w:numId w:val="{numid}"/>' if numid is not None else ""
    ppr.insert(0, _el(f"<w:numPr>{xml}</w:numPr>"))
    return paragraph


def footnote_ref(paragraph: Any, fid: int, custom: str = "") -> None:
    """Append a footnote reference (with a custom mark: the mark follows as text)."""
    mark = ' w:customMarkFollows="1"' if custom else ""
    text = f"<w:t>{escape(custom)}</w:t>" if custom else ""
    paragraph._p.append(
        _el(
            '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
            f'<w:footnoteReference{mark} w:id="{fid}"/>{text}</w:r>'
        )
    )


def save(
    document: Any, path: Path, *, numbering: bytes | None = None, footnotes: bytes | None = None
) -> Path:
    """Save ``document`` with ``numbering`` as its numbering part and ``footnotes`` added."""
    out = io.BytesIO()
    document.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    target_bytes = io.BytesIO()
    with zipfile.ZipFile(target_bytes, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/numbering.xml" and numbering is not None:
                data = numbering
            elif footnotes is not None and info.filename == "[Content_Types].xml":
                override = f'<Override PartName="/word/footnotes.xml" ContentType="{_CT}"/>'
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            elif footnotes is not None and info.filename == "word/_rels/document.xml.rels":
                rel = f'<Relationship Id="rIdFn" Type="{_REL}" Target="footnotes.xml"/>'
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            target.writestr(info.filename, data)
        if footnotes is not None:
            target.writestr("word/footnotes.xml", footnotes)
    path.write_bytes(target_bytes.getvalue())
    return path


# -- the shared sample as Word holds it ------------------------------------------------------
#: the list of numbered paragraphs is the template's "List Number" style's (numId 5); the
#: headings' list (numId 2): 一. / A. / 1. / (a), each level restarting under the one above
SAMPLE_NUMBERING = numbering_xml(
    abstract(10, lvl(0, "decimal", "%1.")),
    abstract(
        20,
        lvl(0, "chineseCounting", "%1."),
        lvl(1, "upperLetter", "%2."),
        lvl(2, "decimal", "%3."),
        lvl(3, "lowerLetter", "(%4)"),
    ),
    num(5, 10),
    num(2, 20),
)
_LEVELS = (
    (re.compile(r"[一二三四五六七八九十]+\."), 0),
    (re.compile(r"[A-Z]\."), 1),
    (re.compile(r"\d+\."), 2),
    (re.compile(r"\([a-z]+\)"), 3),
)


def _heading_level(label: str) -> int:
    for pattern, level in _LEVELS:
        if pattern.fullmatch(label):
            return level
    raise ValueError(f"no numbering level for the heading label {label!r}")


def _add_text(document: Any, text: str, style: str | None, marks: dict[str, int]) -> Any:
    """A paragraph of ``text``; a footnote mark in ``marks`` becomes a footnote reference."""
    paragraph = document.add_paragraph(style=style)
    rest = text
    for mark, fid in list(marks.items()):
        if mark in rest:
            before, rest = rest.split(mark, 1)
            paragraph.add_run(before)
            footnote_ref(paragraph, fid, custom=mark)
            del marks[mark]
    if rest:
        paragraph.add_run(rest)
    return paragraph


def blocks_as_docx(blocks: Iterable[Any], path: Path) -> Path:
    """Write segmented blocks (kind, label, text) as Word would hold them: numbered paragraphs
    in "List Number" style and numbered headings in "Heading n" style with the heading list's
    ``w:numPr``, their numbers NOT in the text; bare headings in "Heading 5"; titles in
    "Normal"; footnotes as Word footnotes whose custom mark (``*``) stands in the title."""
    import docx

    blocks = list(blocks)
    document = docx.Document()
    notes = {k: b for k, b in enumerate((b for b in blocks if b.kind == "footnote"), 1)}
    marks = {b.label: k for k, b in notes.items()}
    for block in blocks:
        if block.kind == "title":
            _add_text(document, block.text, None, marks)
        elif block.kind == "paragraph":
            _add_text(document, block.text, "List Number" if block.label else None, marks)
        elif block.kind == "heading" and block.label:
            level = _heading_level(block.label)
            number(_add_text(document, block.text, f"Heading {level + 1}", marks), 2, level)
        elif block.kind == "heading":
            _add_text(document, block.text, "Heading 5", marks)
    footnotes = footnotes_xml({k: b.text for k, b in notes.items()}) if notes else None
    return save(document, path, numbering=SAMPLE_NUMBERING, footnotes=footnotes)
