"""``unmt align``: align the sentences of a document with those of its translation."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.fileio import output_stream
from unmt.pipeline.cli.options import declare_io

log = logging.getLogger(__name__)

LANGS = ("zh", "en")


def add_parser(subparsers: Any) -> None:
    """Register ``unmt align``."""
    p = subparsers.add_parser(
        "align",
        help="align source and target sentences (beads like [0,1]:[0])",
        description=(
            "Align SRC with TGT, each one sentence per line or the JSONL of `unmt segment` "
            "(numbered paragraphs and headings then anchor the alignment). Output: one bead per "
            "line, [src ids]:[tgt ids], 0-based, every line of both sides in exactly one bead, "
            "in order; [5]:[] and []:[7] mark lines left unaligned."
        ),
    )
    p.add_argument("src", metavar="SRC", help="source sentences (text or segment JSONL)")
    p.add_argument("tgt", metavar="TGT", help="target sentences (text or segment JSONL)")
    p.add_argument("-o", "--output", metavar="OUT", default=None, help="output file (stdout)")
    p.add_argument(
        "--mt",
        metavar="MT",
        default=None,
        help="the source translated into the target language: one line per SRC sentence, "
        "or the JSONL of unmt translate",
    )
    p.add_argument(
        "--src-lang",
        choices=LANGS,
        default=None,
        help="language of SRC (default: detected from its script; zh when unsure)",
    )
    p.add_argument(
        "--tgt-lang",
        choices=LANGS,
        default=None,
        help="language of TGT (default: detected; the other language when unsure)",
    )
    p.add_argument(
        "--format",
        choices=("beads", "tsv", "jsonl"),
        default="beads",
        help="beads: [i,j]:[k]; tsv: bead, score, source and target text; jsonl: records "
        "(default beads)",
    )
    p.add_argument(
        "--segment",
        action="store_true",
        help="SRC and TGT are raw documents (.txt/.docx/.pdf): segment them first",
    )
    p.add_argument(
        "--embeddings",
        metavar="MODEL",
        default=None,
        help="also compare sentence embeddings of this sentence-transformers model (id or "
        "folder; needs the sentence-transformers package); off by default",
    )
    p.add_argument(
        "--no-learn",
        action="store_true",
        help="one pass only (no word pairs learned from a first alignment)",
    )
    declare_io(p, ["src", "tgt", "mt"])
    p.set_defaults(func=run)


def _read(path: str, segment: bool) -> tuple[str, Any]:
    """The text to detect the language of, and what to segment (raw) or the sentences."""
    if segment:
        from unmt.pipeline.segment.ingest import read_input

        raw = read_input(path)
        return raw.text, raw
    from unmt.pipeline.align.beadio import read_sentences

    sentences = read_sentences(path)
    return "\n".join(sentences[0][:5000]), sentences


def _load(read: Any, lang: str, segment: bool) -> tuple[list[str], list[Any] | None]:
    if segment:
        from unmt.pipeline.segment.segmenter import segment_raw

        _doc, segments = segment_raw(read, lang=lang)
        return [seg.text for seg in segments], list(segments)
    return read


def _check_inputs(args: argparse.Namespace) -> None:
    """A PDF or .docx without ``--segment`` (or as ``--mt``): one line saying what to do."""
    from unmt.pipeline.cli.docfiles import refuse_document

    if not args.segment:
        fix = (
            "a document must be segmented first: add --segment "
            f"(unmt align --segment {args.src} {args.tgt})"
        )
        refuse_document(args.src, "SRC", fix)
        refuse_document(args.tgt, "TGT", fix)
    refuse_document(
        args.mt, "--mt", "give one translation per SRC sentence, or unmt translate's JSONL"
    )


def _warn_hard_wrapped(sides: tuple[tuple[str, Any], ...]) -> None:
    """One warning when plain-text lines look like printed lines (text extracted from a PDF,
    sentences broken across lines): each line is aligned as a sentence."""
    from unmt.pipeline.segment.clean import looks_hard_wrapped

    wrapped = [path for path, (lines, segs) in sides if segs is None and looks_hard_wrapped(lines)]
    if wrapped:
        log.warning(
            "%s: many lines end mid-sentence (hard-wrapped, as text extracted from a PDF), and "
            "each line is aligned as a sentence; add --segment to rejoin and split them into "
            "sentences first",
            " and ".join(wrapped),
        )


def run(args: argparse.Namespace) -> int:
    """Align ``args.src`` with ``args.tgt`` and write the beads; returns the exit code."""
    import dataclasses

    from unmt.pipeline.align.aligner import (
        AlignSettings,
        align_sentences,
        alignment_signature,
        segment_group,
    )
    from unmt.pipeline.align.beadio import read_mt, write_beads
    from unmt.pipeline.align.langs import choose_languages

    _check_inputs(args)
    src_text, src_read = _read(args.src, args.segment)
    tgt_text, tgt_read = _read(args.tgt, args.segment)
    if not args.segment:
        _warn_hard_wrapped(((args.src, src_read), (args.tgt, tgt_read)))
    src_lang, tgt_lang, note = choose_languages(
        src_text, tgt_text, args.src_lang, args.tgt_lang, (args.src, args.tgt)
    )
    if note:
        log.warning("%s", note)
    src, src_segs = _load(src_read, src_lang, args.segment)
    tgt, tgt_segs = _load(tgt_read, tgt_lang, args.segment)
    mt = None
    if args.mt is not None:
        mt = read_mt(args.mt)
        if len(mt) != len(src):
            raise UserError(
                f"--mt has {len(mt)} lines but SRC has {len(src)} sentences",
                path=args.mt,
                hint="give one translation per source sentence, in the same order",
            )
    for path, side in ((args.src, src), (args.tgt, tgt)):
        if not any(s.strip() for s in side):
            raise UserError(
                "no sentences to align (the file is empty or blank)",
                path=path,
                hint="give a file with text in it",
            )
    settings = AlignSettings()
    if args.no_learn:
        settings = dataclasses.replace(settings, learn=False)
    if args.embeddings:
        settings = dataclasses.replace(settings, embeddings=args.embeddings)
    groups: dict[str, Any] = {}
    if src_segs is not None and tgt_segs is not None:
        groups = {
            "src_groups": [segment_group(s) for s in src_segs],
            "tgt_groups": [segment_group(s) for s in tgt_segs],
        }
    beads = align_sentences(
        src,
        tgt,
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        mt=mt,
        settings=settings,
        **groups,
    )
    with output_stream(args.output) as fh:
        write_beads(fh, beads, args.format, src, tgt)
    kinds: dict[str, int] = {}
    for b in beads:
        key = b.shape
        kinds[key] = kinds.get(key, 0) + 1
    log.info("%s: %d beads %s", Path(args.output or "-").name, len(beads), kinds)
    log.info("signature: %s", alignment_signature(settings, mt=mt is not None))
    return 0
