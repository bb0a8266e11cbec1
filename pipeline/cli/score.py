"""``unmt score``: term accuracy, consistency and BLEU/chrF/TER of a translation, with a report.

Inputs are line-aligned plain text (one segment a line) or the JSONL of earlier stages: segment
JSONL gives ``text`` (and ``id``, ``doc``); translate JSONL gives ``text`` (the source) and
``mt`` -- a JSONL hypothesis is read from ``mt`` when the records have it, else from ``text``. A
file is JSONL when it ends in ``.jsonl`` (or ``.ndjson``) or its first non-blank line is a JSON
object.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from unmt.errors import UserError
from unmt.fileio import is_jsonl, jsonl_records, read_text, split_lines
from unmt.pipeline.cli.options import add_glossary_option, declare_io, number
from unmt.script import require_lang

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Lines:
    """The segments of one input file: texts, and ids / documents when the file gave them."""

    path: Path
    texts: list[str]
    ids: list[str] | None = None
    docs: list[str] | None = None


def read_segments(path: str | Path, field: str = "text") -> Lines:
    """Read plain text or stage JSONL (``field``, falling back to ``text``).

    Raises:
        UserError: missing file, not UTF-8, or a JSONL line that is not an object with the field.
    """
    path = Path(path)
    lines = split_lines(read_text(path, not_utf8="not valid UTF-8", hint="save it as UTF-8"))
    if not is_jsonl(path, lines):
        return Lines(path, lines)
    texts, ids, docs = [], [], []
    records = jsonl_records(
        path,
        lines,
        field=field,
        fallback="text",
        hint="give segment JSONL (text) or translate JSONL (text, mt)",
    )
    for _, record in records:
        texts.append(record[field if field in record else "text"])
        ids.append(str(record.get("id", len(texts))))
        docs.append(str(record.get("doc", "")))
    return Lines(path, texts, ids, docs)


def read_doc_ids(path: str | Path) -> list[str]:
    """Document ids, one a line (the first field; a UN corpus ``.ids`` file works as it is)."""
    lines = read_segments(path).texts
    return [(ln.split() or [""])[0] for ln in lines]


def check_aligned(src: Lines, hyp: Lines, ref: Lines | None) -> None:
    """Raise :class:`UserError` unless the files have as many segments (and SRC/HYP the same ids).

    A reference is aligned by position only: its ids, if any, come from the English document.
    """
    counts = [("SRC", src), ("HYP", hyp)] + ([("REF", ref)] if ref is not None else [])
    if len({len(f.texts) for _, f in counts}) > 1:
        what = ", ".join(f"{name} {f.path} has {len(f.texts)}" for name, f in counts)
        raise UserError(
            f"segment counts differ: {what}",
            hint="the files must be line-aligned (one segment per line, same order)",
        )
    if src.ids is None or hyp.ids is None:
        return
    for n, (a, b) in enumerate(zip(src.ids, hyp.ids, strict=True), 1):
        if a != b:
            raise UserError(
                f"segment {n}: id {b!r} in HYP but {a!r} in SRC",
                path=hyp.path,
                line=n,
                hint="score the translation of the same segment file",
            )


def default_jobs() -> int:
    """Worker processes for TER: the usable CPUs, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def _refuse_documents(args: argparse.Namespace) -> None:
    """A PDF or .docx as SRC, HYP or REF: one line saying how to get segments from it."""
    from unmt.pipeline.cli.docfiles import refuse_document

    refuse_document(
        args.src,
        "SRC",
        f"score reads segments: run `unmt segment {args.src} -o zh.jsonl` and `unmt translate "
        "zh.jsonl -o mt.jsonl`, then score --src zh.jsonl --hyp mt.jsonl (or `unmt run` for "
        "whole documents)",
    )
    refuse_document(
        args.hyp,
        "HYP",
        "give the translation of SRC's segments: text, one segment a line, or unmt translate's "
        "JSONL",
    )
    refuse_document(
        args.ref,
        "REF",
        f"a reference document must be aligned with the source first: `unmt run SOURCE "
        f"--reference {args.ref} -o RUN` segments, translates, aligns and scores them; or give "
        "REF as text line-aligned with SRC",
    )


def run_score(args: argparse.Namespace) -> int:
    """Score, print the summary (text or JSON), write the report."""
    from unmt.eval.glossary.load import load_glossaries
    from unmt.eval.report.write import REPORT_SUFFIXES, write_report
    from unmt.eval.scoring import score_segments
    from unmt.eval.terms.matcher import TermMatcher

    if args.output and Path(args.output).suffix.lower() not in REPORT_SUFFIXES:
        raise UserError(
            "unknown report format",
            path=args.output,
            hint=f"name the report with one of {', '.join(REPORT_SUFFIXES)}",
        )
    metrics = [m.strip().lower() for m in args.metrics.split(",") if m.strip()]
    unknown = [m for m in metrics if m not in ("bleu", "chrf", "ter")]
    if unknown:
        raise UserError(f"unknown metric {unknown[0]!r}", hint="choose from bleu, chrf, ter")
    _refuse_documents(args)
    src = read_segments(args.src)
    hyp = read_segments(args.hyp, field="mt")
    ref = read_segments(args.ref) if args.ref else None
    for side in (src, hyp, ref):
        if side is not None and not any(t.strip() for t in side.texts):
            raise UserError(
                "no segments to score (the file is empty or blank)",
                path=side.path,
                hint="give a file with one segment a line",
            )
    for role, side, lang in (("SRC", src, "zh"), ("HYP", hyp, "en"), ("REF", ref, "en")):
        if side is not None:
            require_lang(side.texts, lang, side.path, role)
    check_aligned(src, hyp, ref)
    docs = read_doc_ids(args.docs) if args.docs else src.docs
    if docs is not None and len(docs) != len(src.texts):
        raise UserError(f"{len(docs)} document ids for {len(src.texts)} segments", path=args.docs)
    glossary = load_glossaries(args.glossary, default=not args.no_default_glossary)
    if glossary.issues:
        log.info("glossary: %d issues (see `unmt glossary info`)", len(glossary.issues))
    from unmt.progress import Progress

    steps = len(src.texts) * (1 + (len(metrics) if ref is not None else 0))
    with Progress("scoring", steps) as bar:  # terms, then each metric, segment by segment
        result = score_segments(
            src.texts,
            hyp.texts,
            ref.texts if ref is not None else None,
            TermMatcher(glossary, min_zh_chars=args.min_zh_chars),
            seg_ids=src.ids,
            doc_ids=docs,
            metrics=metrics,
            jobs=args.jobs,
            progress=bar.update,
        )
    if args.output:
        write_report(result, args.output, named=True)
        print(f"report: {args.output}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(result.summary_json(), ensure_ascii=False))
    else:
        from unmt.eval.report.view import summary_rows

        for label, value in summary_rows(result):
            print(f"{label:>34}: {value}")
        for name, sig in result.signature.items():
            print(f"{'signature ' + name:>34}: {sig}")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``unmt score``."""
    p = subparsers.add_parser(
        "score",
        help="term accuracy, consistency and BLEU/chrF/TER of a translation, with a report",
        description=(
            "Score a translation: glossary term accuracy, reference-confirmed accuracy, "
            "consistency and forbidden renderings; with --ref also sacreBLEU BLEU, chrF and TER. "
            "SRC/HYP/REF are line-aligned text or stage JSONL (a JSONL HYP is read from 'mt')."
        ),
    )
    p.add_argument("--src", required=True, help="Chinese source: text lines or segment JSONL")
    p.add_argument("--hyp", required=True, help="English MT: text lines or translate JSONL (mt)")
    p.add_argument("--ref", help="English human reference, line-aligned (enables BLEU/chrF/TER)")
    add_glossary_option(p)
    p.add_argument("--docs", help="document id of each line (first field; a UN .ids file works)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("-o", "--output", help="write a report: .html, .md or .json")
    p.add_argument(
        "--metrics",
        default="bleu,chrf",
        help="reference metrics, from bleu, chrf, ter (default bleu,chrf; TER is slow: 78 s "
        "for 4,000 lines against 5 s for the others)",
    )
    p.add_argument(
        "--jobs",
        type=number(int, 1, 256),
        default=default_jobs(),
        help="processes for TER (default: CPUs, max 4)",
    )
    p.add_argument(
        "--min-zh-chars",
        type=number(int, 1, 100),
        default=1,
        help="ignore Chinese terms shorter than this (default 1)",
    )
    declare_io(p, ["src", "hyp", "ref", "docs", "glossary"])
    p.set_defaults(func=run_score)
