"""``unmt bench segment``: segmentation throughput and peak memory on synthetic documents.

The synthetic document is the example report (``examples/un-report.zh.txt``, or ``--input``)
repeated until it reaches the wanted size, with its paragraph numbers renumbered so that they run
1..N through the whole document, as in a real long report. For each size the command prints the
wall-clock and CPU time of ``segment_file`` (read, decode, clean,
structure, sentences), the throughput in MB/s of input for each (CPU time is the figure that
does not depend on other processes sharing the machine), and the peak of Python memory
allocations (measured in a second, separate run under ``tracemalloc``, which slows the code
down and so is not timed).

With ``--pdf PAGES`` the same synthetic documents are rendered as UN-layout PDFs
(:mod:`unmt.pipeline.bench.pdfdoc`, needs reportlab) of about that many pages, and the command
prints, side by side, the time of ``segment_file`` on the PDF (extraction with PDFium, furniture
removal, then the text rules), its extraction part alone, the pages/s, the time on the text the
PDF was made from, and whether both give the same segments.
"""

from __future__ import annotations

import argparse
import functools
import re
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.pipeline.bench.data import EXAMPLES
from unmt.pipeline.cli.options import numbers

_EXAMPLE = EXAMPLES / "un-report.zh.txt"
_NUMBER = re.compile(r"(\s*)(\d+)")


def add_parser(subparsers: Any) -> None:
    """Register ``unmt bench segment``."""
    p = subparsers.add_parser("segment", help="segmentation speed (MB/s) and peak memory")
    p.add_argument("--input", default=None, help="seed document (default: the example report)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="default zh")
    p.add_argument(
        "--sizes",
        type=numbers(float, 0.001, 1000),
        default=[1.0, 3.0, 10.0],
        help="comma-separated document sizes in MB (default 1,3,10)",
    )
    p.add_argument(
        "--pdf",
        type=numbers(int, 1, 100_000),
        default=None,
        metavar="PAGES",
        help="comma-separated page counts: time PDF input instead (e.g. 20,100,400)",
    )
    p.add_argument(
        "--gold",
        metavar="DIR",
        default=None,
        help="instead: score every <name>.pdf/.docx of DIR against <name>.gold.json "
        "(e.g. ../shared/data/un_pdf): paragraphs, headings, footnotes, furniture, table "
        "cells, pages/s",
    )
    p.set_defaults(func=run)


def synthetic(seed: str, lang: str, size: int) -> str:
    """The seed document repeated to at least ``size`` bytes, paragraphs numbered 1..N."""
    from unmt.pipeline.segment.structure import parse

    lines = seed.split("\n")
    parsed = parse(seed, lang)
    starts = {b.line - 1: int(b.label) for b in parsed.blocks if b.kind == "paragraph" and b.label}
    if not starts:
        raise UserError("the seed document has no numbered paragraphs", hint="use a UN report")
    per_copy = max(starts.values())
    out: list[str] = []
    total = 0
    copy = 0
    while total < size:
        for i, line in enumerate(lines):
            if i in starts:
                n = starts[i] + copy * per_copy
                m = _NUMBER.match(line)
                if m:
                    line = f"{m.group(1)}{n}{line[m.end() :]}"
            out.append(line)
            total += len(line.encode("utf-8")) + 1
        copy += 1
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """Print one line per size: MB, seconds, MB/s, CPU seconds, CPU MB/s, segments, peak MiB."""
    from unmt.pipeline.segment.ingest import read_input
    from unmt.pipeline.segment.segmenter import segment_file

    if args.gold:
        from unmt.pipeline.bench.seggold import run_gold

        return run_gold(Path(args.gold), args.lang if args.input or args.lang != "zh" else None)
    seed_path = Path(args.input) if args.input else _EXAMPLE
    seed = read_input(seed_path).text
    sizes = args.sizes
    if args.pdf:
        return _run_pdf(seed, seed_path, args.lang, args.pdf)
    print(f"seed: {seed_path} ({args.lang}); peak = Python allocations under tracemalloc")
    print(
        f"{'MB':>6} {'seconds':>8} {'MB/s':>7} {'cpu s':>7} {'cpu MB/s':>8} {'segments':>9} "
        f"{'peak MiB':>9} {'peak/input':>10}"
    )
    with tempfile.TemporaryDirectory(prefix="unmt-bench-") as tmp:
        for mb in sizes:
            text = synthetic(seed, args.lang, int(mb * 1_000_000))
            path = Path(tmp) / f"synthetic-{mb}.txt"
            path.write_text(text, encoding="utf-8")
            nbytes = path.stat().st_size
            t0, c0 = time.perf_counter(), time.process_time()
            _, segments = segment_file(path, args.lang)
            seconds = time.perf_counter() - t0
            cpu = time.process_time() - c0
            count = len(segments)
            del segments
            tracemalloc.start()
            segment_file(path, args.lang)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            mbytes = nbytes / 1e6
            print(
                f"{mbytes:6.2f} {seconds:8.2f} {mbytes / seconds:7.2f} {cpu:7.2f} "
                f"{mbytes / max(cpu, 1e-9):8.2f} {count:>9} "
                f"{peak / 2**20:9.1f} {peak / nbytes:10.2f}"
            )
    return 0


def _median_time(fn: Any, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def _run_pdf(seed: str, seed_path: Path, lang: str, pages_arg: list[int]) -> int:
    """PDF input: pages/s of segment_file on a PDF, next to the same text as .txt."""
    from unmt.pipeline.bench.pdfdoc import render_pdf
    from unmt.pipeline.segment.pdf import pdf_text
    from unmt.pipeline.segment.segmenter import segment_file

    targets = pages_arg
    print(f"seed: {seed_path} ({lang}); medians of 3; pdf = segment_file on the PDF (all of it)")
    print(
        f"{'pages':>6} {'MB text':>8} {'pdf s':>7} {'extract s':>9} {'pages/s':>8} "
        f"{'txt s':>7} {'pdf/txt':>7} {'segments':>9} {'same':>5}"
    )
    with tempfile.TemporaryDirectory(prefix="unmt-bench-") as tmp:
        probe = Path(tmp) / "probe.pdf"
        per_page = len(seed.encode("utf-8")) / render_pdf(seed, probe, lang=lang)
        for target in targets:
            text = synthetic(seed, lang, int(target * per_page))
            txt, pdf = Path(tmp) / f"doc-{target}.txt", Path(tmp) / f"doc-{target}.pdf"
            txt.write_text(text, encoding="utf-8")
            pages = render_pdf(text, pdf, lang=lang)
            pdf_s = _median_time(functools.partial(segment_file, pdf, lang))
            extract_s = _median_time(functools.partial(pdf_text, pdf))
            txt_s = _median_time(functools.partial(segment_file, txt, lang))
            from_pdf = [(s.id, s.text) for s in segment_file(pdf, lang, doc_id="d")[1]]
            from_txt = [(s.id, s.text) for s in segment_file(txt, lang, doc_id="d")[1]]
            print(
                f"{pages:6d} {txt.stat().st_size / 1e6:8.2f} {pdf_s:7.2f} {extract_s:9.2f} "
                f"{pages / pdf_s:8.1f} {txt_s:7.2f} {pdf_s / txt_s:7.1f} {len(from_pdf):>9} "
                f"{'yes' if from_pdf == from_txt else 'NO':>5}"
            )
    return 0
