"""``unmt segment``: split a document into sentence segments (JSONL or one sentence per line)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from unmt.fileio import dump_jsonl, output_stream
from unmt.pipeline.cli.options import declare_io

log = logging.getLogger(__name__)


def add_parser(subparsers: Any) -> None:
    """Register ``unmt segment``."""
    p = subparsers.add_parser(
        "segment",
        help="split a .txt/.docx/.pdf document into sentence segments",
        description=(
            "Read a UN document (.txt in UTF-8/UTF-16/GB18030/Big5, .docx or .pdf), clean "
            "PDF-extraction furniture, find the title, headings, numbered paragraphs and "
            "footnotes, and split them into sentences with stable ids such as DOC:p8.s3."
        ),
    )
    p.add_argument("input", metavar="INPUT", help="the document (.txt, .docx or .pdf)")
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=None,
        help="document language (default: detected from the script, Chinese when unsure); "
        "a --lang the text clearly is not in is an error",
    )
    p.add_argument(
        "--doc-id", default=None, help="document id (default: file name without its suffix)"
    )
    p.add_argument(
        "-o", "--output", metavar="OUT", default=None, help="output file (default stdout)"
    )
    p.add_argument(
        "--format",
        choices=("jsonl", "txt"),
        default="jsonl",
        help="jsonl: one segment object per line; txt: one sentence per line (default jsonl)",
    )
    declare_io(p, ["input"])
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Segment ``args.input`` and write the segments; returns the exit code."""
    from unmt.pipeline.segment.ingest import read_input
    from unmt.pipeline.segment.segmenter import check_doc_id, check_language, segment_raw
    from unmt.script import NAMES, Script

    if args.doc_id is not None:
        check_doc_id(args.doc_id)
    raw = read_input(args.input)
    lang = args.lang
    if lang is None:
        script = Script.of(raw.text)
        lang = script.lang() or "zh"
        if lang != "zh":
            log.warning(
                "%s: the text is %s (%s): segmenting it as --lang %s",
                args.input,
                NAMES[lang],
                script.describe(),
                lang,
            )
    check_language(raw, lang)
    doc, segments = segment_raw(raw, lang, args.doc_id)
    if not segments:
        log.warning("%s: no text found (only links or page furniture)", args.input)
    with output_stream(args.output) as fh:
        if args.format == "txt":
            for seg in segments:
                fh.write(seg.text + "\n")
        else:
            dump_jsonl((seg.to_json() for seg in segments), fh)
    log.info(
        "%s: %d blocks, %d segments, %d links",
        doc.id,
        len(doc.blocks),
        len(segments),
        len(doc.links),
    )
    return 0
