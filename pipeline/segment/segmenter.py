"""Segmentation, the public API: a document in, blocks and sentence segments out.

Segment ids are ``<doc>:<kind letter><block index>.s<sentence>``: ``t`` title, ``h`` heading,
``p`` paragraph, ``f`` footnote; the block index counts blocks of that kind from 1 (for a numbered
document, paragraph index = paragraph number), the sentence index counts from 1 in the block. The
same input always gives the same ids.

Document ids: ``--doc-id`` when given; otherwise the one rule of :mod:`unmt.docid`, which every
command shares (``un-report.zh.txt`` -> ``un-report``; ``E-CN.15-2021-5.zh.txt`` ->
``E-CN.15-2021-5``).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Callable
from pathlib import Path

from unmt.docid import doc_id_from_path
from unmt.errors import UserError
from unmt.pipeline.segment.hints import LineHint
from unmt.pipeline.segment.ingest import RawText, normalise_newlines, read_input
from unmt.pipeline.segment.sentences_en import split_en
from unmt.pipeline.segment.sentences_zh import split_zh
from unmt.pipeline.segment.structure import parse
from unmt.records import Block, Document, Segment
from unmt.script import NAMES, Script, mismatch

log = logging.getLogger(__name__)

#: goes into score signatures; bump it whenever segmentation output can change
SEGMENTER_VERSION = "seg-1.1"

LANGS = ("zh", "en")
KIND_LETTER = {
    "title": "t",
    "heading": "h",
    "paragraph": "p",
    "footnote": "f",
    "line": "l",
    "table": "x",
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise :class:`UserError` listing the known ones."""
    if lang not in LANGS:
        raise UserError(f"unknown language {lang!r}", hint=f"use one of: {', '.join(LANGS)}")
    return lang


def check_doc_id(doc_id: str) -> str:
    """Return ``doc_id`` if usable in segment ids (no whitespace, no ``:``), else UserError."""
    if not doc_id or ":" in doc_id or any(ch.isspace() for ch in doc_id):
        raise UserError(
            f"bad document id {doc_id!r}", hint="use letters, digits, '.', '_' or '-' only"
        )
    return doc_id


def split_sentences(text: str, lang: str = "zh") -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` (end exclusive) in one line of text."""
    return split_zh(text) if check_lang(lang) == "zh" else split_en(text)


def _rows(text: str) -> list[tuple[int, int]]:
    """The spans of a table block's rows (one a line; blank rows left out)."""
    spans, start = [], 0
    for row in text.split("\n"):
        if row.strip():
            spans.append((start, start + len(row)))
        start += len(row) + 1
    return spans


def block_segments(block: Block, doc_id: str, lang: str = "zh") -> list[Segment]:
    """The sentence segments of one block (a table's: one segment a row)."""
    prefix = f"{doc_id}:{KIND_LETTER[block.kind]}{block.index}"
    spans = _rows(block.text) if block.kind == "table" else split_sentences(block.text, lang)
    return [
        Segment(f"{prefix}.s{k}", doc_id, block.kind, block.label, k, block.text[s:e], s, e)
        for k, (s, e) in enumerate(spans, 1)
    ]


def segment_text(
    text: str, lang: str = "zh", doc_id: str = "doc", source: str = "", *, wrapped: bool = True
) -> tuple[Document, list[Segment]]:
    """Segment a document given as text.

    Args:
        text: the document text (any line ends).
        lang: ``zh`` (Chinese source) or ``en`` (English reference).
        doc_id: the document id used in segment ids.
        source: where the text came from (recorded in the Document).
        wrapped: False when every line is a whole paragraph (text from .docx).

    Returns:
        The Document (blocks, links; sha256 of the UTF-8 text) and its segments in order.
    """
    check_lang(lang)
    check_doc_id(doc_id)
    text = normalise_newlines(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _build(text, lang, doc_id, source, digest, wrapped)


def _build(
    text: str,
    lang: str,
    doc_id: str,
    source: str,
    digest: str,
    wrapped: bool,
    page_of: Callable[[int], int] | None = None,
    hints: tuple[LineHint, ...] = (),
) -> tuple[Document, list[Segment]]:
    parsed = parse(text, lang, wrapped=wrapped, hints=hints)
    for line, what in parsed.warnings:  # named by file and line, or page of a PDF
        where = f"page {page_of(line)}" if page_of else f"line {line}"
        log.warning("%s: %s: %s", source or doc_id, where, what)
    doc = Document(doc_id, lang, source, digest, tuple(parsed.blocks), tuple(parsed.links))
    segments = [seg for block in parsed.blocks for seg in block_segments(block, doc_id, lang)]
    return doc, segments


def language_problem(raw: RawText, lang: str) -> str | None:
    """Why the text of ``raw`` is not in ``lang``, naming the pages of a PDF; None if it may be."""
    problem = mismatch(raw.text, lang)
    if problem is None or not raw.page_lines:
        return problem
    lines = raw.text.split("\n")
    bounds = [*raw.page_lines, len(lines) + 1]
    bad = [
        str(k)
        for k, (a, b) in enumerate(itertools.pairwise(bounds), 1)
        if not Script.of("".join(lines[a - 1 : b - 1])).fits(lang)
    ]
    if bad and len(bad) < len(raw.page_lines):
        return f"{problem}; pages {', '.join(bad[:10])}{' ...' if len(bad) > 10 else ''}"
    return problem


def check_language(raw: RawText, lang: str, fix: str | None = None) -> None:
    """Raise :class:`UserError` when the text of ``raw`` clearly is not in ``lang``.

    Args:
        fix: the hint when the text is in the other language (default: pass ``--lang``).
    """
    problem = language_problem(raw, lang)
    if problem is None:
        return
    if Script.of(raw.text).lang() is None:
        hint = (
            f"give the {NAMES[lang]} text; a PDF whose text layer is garbage or missing needs "
            "OCR first (e.g. ocrmypdf --force-ocr IN OUT)"
        )
    else:
        other = "en" if lang == "zh" else "zh"
        hint = fix or f"pass --lang {other} (or leave --lang out to detect it) if the file is right"
    raise UserError(problem, path=raw.path, hint=hint)


def segment_raw(
    raw: RawText, lang: str = "zh", doc_id: str | None = None
) -> tuple[Document, list[Segment]]:
    """Segment a document read with :func:`read_input` (``Document.sha256``: the raw bytes)."""
    check_lang(lang)
    doc_id = check_doc_id(doc_id) if doc_id is not None else doc_id_from_path(raw.path)
    page_of = raw.page_of if raw.page_lines else None
    return _build(raw.text, lang, doc_id, raw.path, raw.sha256, raw.wrapped, page_of, raw.hints)


def segment_lines(
    raw: RawText, lang: str = "zh", doc_id: str | None = None
) -> tuple[Document, list[Segment]]:
    """A line-aligned file (one sentence a line, as in the UN Parallel Corpus): every non-blank
    line is one ``line`` block and one segment, ``DOC:l<line number>.s1``; nothing is joined,
    split or taken out, so line n of a Chinese file and line n of its English one share an id.
    """
    check_lang(lang)
    doc_id = check_doc_id(doc_id) if doc_id is not None else doc_id_from_path(raw.path)
    blocks = []
    segments = []
    for n, line in enumerate(raw.text.split("\n"), 1):
        text = line.strip()
        if not text:
            continue
        blocks.append(Block("line", "", text, n, (), n))
        segments.append(Segment(f"{doc_id}:l{n}.s1", doc_id, "line", "", 1, text, 0, len(text)))
    doc = Document(doc_id, lang, raw.path, raw.sha256, tuple(blocks), ())
    return doc, segments


def segment_file(
    path: str | Path, lang: str = "zh", doc_id: str | None = None, *, strict: bool = False
) -> tuple[Document, list[Segment]]:
    """Read and segment a .txt, .docx or .pdf file (``Document.sha256`` is over the raw bytes).

    Args:
        strict: refuse a file whose text clearly is not in ``lang`` (see :mod:`unmt.script`).

    Raises:
        UserError: unreadable or bad input (see :func:`unmt.pipeline.segment.ingest.read_input`),
            or (``strict``) a text in another language.
    """
    check_lang(lang)
    if doc_id is not None:
        check_doc_id(doc_id)
    raw = read_input(path)
    if strict:
        check_language(raw, lang)
    return segment_raw(raw, lang, doc_id)
