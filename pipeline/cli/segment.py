"""``unmt segment``: split a document into sentence segments (JSONL or one sentence per line)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from unmt.fileio import dump_jsonl, output_stream

log = logging.getLogger(__name__)


def add_parser(subparsers: Any) -> None:
    """Register ``unmt segment``."""
    p = subparsers.add_parser(
        "segment",
        help="split a .txt/.docx document into sentence segments",
        description=(
            "Read a UN document (.txt in UTF-8/UTF-16/GB18030, or .docx), clean PDF-extraction "
            "furniture, find the title, headings, numbered paragraphs and footnotes, and split "
            "them into sentences with stable ids such as DOC:p8.s3."
        ),
    )
    p.add_argument("input", metavar="INPUT", help="the document (.txt or .docx)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="document language")
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
        help="jsonl: one segment object per line; txt: one sentence per line",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Segment ``args.input`` and write the segments; returns the exit code."""
    from unmt.pipeline.segment.segmenter import segment_file

    doc, segments = segment_file(args.input, lang=args.lang, doc_id=args.doc_id)
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
