"""``unmt bench score``: term-scoring time per phase on the UN dev set with a large glossary.

Default workload (from ``../shared/data``): the 4,000 segments of the UN Parallel Corpus dev set,
the opus-mt-zh-en output and the human reference, scored against the shipped UN glossary merged
with the 7,312-concept UNBIS thesaurus (loaded through :func:`load_glossaries`). The phases are
timed separately: reading, glossary loading, compiling the matcher, matching and judging every
segment (:func:`score_segments` without reference metrics), writing the HTML report, and -- not
part of the term-scoring target of < 5 s -- sacreBLEU's BLEU and chrF (``--metrics``; TER takes
about 10 ms a segment and is off unless asked for). Peak resident memory is printed at the end.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.pipeline.bench.data import shared_data
from unmt.pipeline.cli.options import add_glossary_option

_DATA = shared_data()
_DEFAULTS = {
    "src": "un/UNv1.0.devset.zh",
    "hyp": "baselines/opus-mt-zh-en.UNv1.0.devset.hyp.en",
    "ref": "un/UNv1.0.devset.en",
    "unbis": "terminology/unbis_thesaurus_6lang.tsv",
}
TARGET_S = 5.0


def add_parser(subparsers: Any) -> None:
    """Register ``unmt bench score``."""
    p = subparsers.add_parser(
        "score",
        help="term-scoring time per phase (UN dev set + UNBIS)",
        description=(
            "Time term scoring per phase on the UN dev set (4,000 segments) against the shipped "
            "glossary merged with the UNBIS thesaurus (target: under 5 s), then sacreBLEU."
        ),
    )
    p.add_argument("--src", help=f"source lines (default ../shared/data/{_DEFAULTS['src']})")
    p.add_argument("--hyp", help="MT lines (default: the shared opus-mt-zh-en output)")
    p.add_argument("--ref", help="reference lines (default: the dev set's English)")
    add_glossary_option(p, "glossaries (default: the shipped one, then the UNBIS thesaurus)")
    p.add_argument(
        "--metrics",
        default="bleu,chrf",
        help="sacreBLEU metrics to time, or '' (default bleu,chrf)",
    )
    p.set_defaults(func=run)


def _default(value: str | None, key: str) -> Path:
    if value:
        return Path(value)
    path = _DATA / _DEFAULTS[key]
    if not path.exists():
        # the UNBIS thesaurus has no flag of its own: it is one of the glossaries
        give = (
            f"give the glossaries with --glossary (--glossary un --glossary DIR/{path.name})"
            if key == "unbis"
            else f"give --{key}"
        )
        raise UserError(
            "shared data not found",
            path=path,
            hint=f"{give}, or set UNMT_SHARED_DATA to the shared data folder",
        )
    return path


def run(args: argparse.Namespace) -> int:
    """Time each phase and print one line per phase."""
    from unmt.eval.glossary.load import load_glossaries, shipped_glossary_path
    from unmt.eval.metrics import RefStats
    from unmt.eval.report.write import write_report
    from unmt.eval.scoring import score_segments
    from unmt.eval.terms.matcher import TermMatcher
    from unmt.pipeline.cli.score import check_aligned, read_segments

    glossaries = args.glossary or [str(shipped_glossary_path()), str(_default(None, "unbis"))]
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    times: list[tuple[str, float]] = []
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times.append((name, now - clock))
        clock = now

    src = read_segments(_default(args.src, "src"))
    hyp = read_segments(_default(args.hyp, "hyp"), field="mt")
    ref = read_segments(_default(args.ref, "ref"))
    check_aligned(src, hyp, ref)
    lap("read inputs")
    glossary = load_glossaries(glossaries)
    lap("load glossaries")
    matcher = TermMatcher(glossary)
    lap("compile matcher")
    result = score_segments(src.texts, hyp.texts, ref.texts, matcher, metrics=())
    lap("match + judge + summarise")
    with tempfile.TemporaryDirectory(prefix="unmt-bench-") as tmp:
        size = write_report(result, Path(tmp) / "report.html").stat().st_size
    lap("write HTML report")
    term_total = sum(t for _, t in times)
    if metrics:
        stats = RefStats(hyp.texts, ref.texts, metrics)
        lap(f"sacreBLEU {'+'.join(metrics)}")
        scores = {k: v for k, v in stats.scores().items() if v is not None}
    else:
        scores = {}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    s = result.summary_json()
    print(
        f"{len(src.texts)} segments; glossary {len(glossary.entries)} entries "
        f"({'+'.join(n for n, _ in glossary.members)}); {s['term_occurrences']} term "
        f"occurrences, accuracy {s['term_accuracy']:.4f}; HTML report {size / 1e6:.1f} MB"
    )
    for name, seconds in times:
        print(f"{name:>28}: {seconds:7.3f} s")
    verdict = "within" if term_total < TARGET_S else "OVER"
    print(
        f"{'term scoring total':>28}: {term_total:7.3f} s ({verdict} the {TARGET_S:.0f} s target)"
    )
    if scores:
        print(f"{'sacreBLEU scores':>28}: " + ", ".join(f"{k} {v:.2f}" for k, v in scores.items()))
    print(f"{'peak RSS':>28}: {peak:7.1f} MiB")
    return 0
