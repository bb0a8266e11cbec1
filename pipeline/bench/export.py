"""``unmt bench export``: time and peak memory of ``unmt export`` as rows grow.

For each size N it writes a run directory of generated finished documents (1,000 rows each,
UN-like Chinese and English of about 60 and 150 characters, a glossary term per row, chrF) and
times ``unmt export RUN -o OUT`` in a separate process (start-up included), printing rows/s
and the process's peak RSS: with rows streamed, the peak must stay flat as N grows (target:
1,000,000 rows under 1 GB). ``--format`` picks what is written (default ``hf,tmx``: Parquet,
card and TMX, as ``unmt export``'s default; ``all`` adds the review tables and Moses text).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.pipeline.cli.options import numbers

ROWS_PER_DOC = 1000
#: ``unmt export`` in a process that prints its own peak RSS (VmHWM, MiB) when it ends
_MEASURED = (
    "import sys\nfrom unmt.pipeline.cli.main import main\nrc = main(sys.argv[1:])\n"
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
    "print(int(hwm.split()[1]) / 1024)\nsys.exit(rc)\n"
)


def add_parser(subparsers: Any) -> None:
    """Register ``unmt bench export``."""
    p = subparsers.add_parser("export", help="time and peak memory of `unmt export` by rows")
    p.add_argument(
        "--rows",
        type=numbers(int, 1, 100_000_000),
        default=[10_000, 100_000],
        metavar="N[,N...]",
        help="sizes (default 10000,100000)",
    )
    p.add_argument(
        "--format", choices=("hf", "tmx", "hf,tmx", "all"), default="hf,tmx", help="default hf,tmx"
    )
    p.set_defaults(func=run_bench)


def write_run(folder: Path, rows: int) -> Path:
    """A run directory of finished documents holding ``rows`` rows in all."""
    from unmt.fileio import write_jsonl
    from unmt.pipeline.run.rundir import RunDir

    run = RunDir(folder)
    run.update(settings={"glossaries": []}, translator={"model": "bench", "backend": "none"})
    docs = -(-rows // ROWS_PER_DOC)
    for d in range(docs):
        doc = f"doc{d:06d}"
        n = min(ROWS_PER_DOC, rows - d * ROWS_PER_DOC)

        def write(paths: dict[str, Path], doc: str = doc, n: int = n) -> dict[str, int]:
            return {"rows": write_jsonl(paths["pairs"], _rows(doc, n))}

        run.set_document(doc, source=f"{doc}.zh.txt", sha256=f"{d:064d}")
        run.stage(doc, "score", settings={}, inputs={}, outputs={"pairs": "pairs.jsonl"}, run=write)
        run.set_document(doc, status="done")
    run.close()
    return folder


def _rows(doc: str, n: int) -> Any:
    for i in range(n):
        yield {
            "id": f"{doc}:p{i}.s1", "doc": doc, "para": str(i), "block": "paragraph",
            "zh": f"会员国在第{i}号报告中重申打击恐怖主义的承诺，并请秘书长在下届会议上提交报告。",
            "en": f"Member States reaffirmed in report {i} their commitment to countering "
                  "terrorism and requested the Secretary-General to report at the next session.",
            "en_origin": "reference",
            "mt": f"Member States reaffirm in report No. {i} the commitment to fight terrorism.",
            "bead": "1-1" if i % 10 else "2-1",
            "terms": [{"zh": "会员国", "en": "Member States", "found": True}],
            "chrf": 40.0 + i % 50,
        }  # fmt: skip


def _direct(run: Path, out: Path) -> tuple[float, float]:
    """The direct writer's whole-process seconds and peak RSS (MiB) on ``run``."""
    import json

    script = Path(__file__).with_name("direct_export.py")
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(script), str(run), str(out)], capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise UserError(f"the direct export writer failed: {proc.stderr[-1000:]}")
    shutil.rmtree(out, ignore_errors=True)
    return wall, float(json.loads(proc.stdout.strip().splitlines()[-1])["peak_mib"])


def run_bench(args: argparse.Namespace) -> int:
    """The ``unmt bench export`` command."""
    sizes = args.rows
    print(f"unmt bench export --format {args.format}: generated rows, {ROWS_PER_DOC} per document")
    print(
        f"{'rows':>9} {'write s':>8} {'export s':>9} {'rows/s':>9} {'peak MiB':>9} "
        f"{'direct s':>9} {'direct MiB':>10} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory(prefix="unmt-bench-export-") as tmp:
        for n in sizes:
            start = time.perf_counter()
            run = write_run(Path(tmp) / f"run{n}", n)
            made = time.perf_counter() - start
            out = Path(tmp) / f"out{n}"
            argv = ["export", str(run), "-o", str(out), "--format", args.format, "--quiet"]
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", _MEASURED, *argv], capture_output=True, text=True
            )
            wall = time.perf_counter() - start
            if proc.returncode != 0:
                raise UserError(f"unmt export of {n} rows failed: {proc.stderr[-1000:]}")
            peak = float(proc.stdout.strip().splitlines()[-1])
            direct, direct_peak = _direct(run, Path(tmp) / f"direct{n}")
            print(
                f"{n:>9} {made:>8.1f} {wall:>9.1f} {n / wall:>9.0f} {peak:>9.0f} "
                f"{direct:>9.1f} {direct_peak:>10.0f} {wall / direct:>6.2f}"
            )
            shutil.rmtree(run)
            shutil.rmtree(out)
    print("export s: the whole `unmt export` process, start-up included; peak: its max RSS;")
    print("direct: a direct pyarrow + TMX writer of the same rows, nothing of unmt, no checks")
    print("(pipeline/bench/direct_export.py), its whole process; ratio: export s / direct s")
    return 0
