"""``unmt bench run``: end-to-end throughput of ``unmt run`` (documents/min, segments/s).

For each model (the tiny test model, and a random-weight model of opus-mt-zh-en's full shape:
6+6 layers, d_model 512, 8 heads, FFN 2048, shared vocab 65,001) it runs the whole pipeline on
one document into a fresh run directory with an empty translation cache and prints:

- *cold*: every stage, translation included (what a first run costs);
- *cached*: ``--force`` with the translation cache warm (everything but the model);
- *skip*: a re-run with nothing changed (manifest checks only).

The full-size model is ``unmt bench translate``'s (built once into the unmt cache). Model
building and CTranslate2 conversion happen in a warm-up run on a one-line document and are
not timed. Random weights produce outputs as long as the translator allows (twice the source
plus ten tokens), so the full-size figures are a pessimistic bound for translation time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.models.options import TranslateOptions
from unmt.pipeline.bench.data import EXAMPLES, shared_file
from unmt.pipeline.cli.options import add_settings
from unmt.settings import specs

SAMPLE = shared_file("samples/E-CN.15-2021-5.zh.txt")
EXAMPLE = EXAMPLES / "un-report.zh.txt"


def add_parser(subparsers: Any) -> None:
    """Register ``unmt bench run``."""
    p = subparsers.add_parser("run", help="end-to-end documents/min and segments/s of `unmt run`")
    p.add_argument("--doc", type=Path, help=f"the document (default {SAMPLE}, else {EXAMPLE})")
    p.add_argument(
        "--models", default="tiny,full", help="comma-separated: tiny, full, or a model path/id"
    )
    engine = specs(TranslateOptions)
    add_settings(p, [engine["backend"], engine["beam"], engine["device"]])
    p.add_argument("--jobs", type=int, default=1, help="processes for the cheap stages")
    p.set_defaults(func=run_bench)


def _config(doc: Path, out: Path, model: str, args: argparse.Namespace, **kw: Any) -> Any:
    from unmt.pipeline.run.config import RunConfig

    translate = TranslateOptions(
        model=model,
        backend=args.backend,
        beam=args.beam,
        device=args.device,
        cache=str(out.parent / "cache.sqlite"),
        quiet=True,
    )
    return RunConfig(
        inputs=[str(doc)], output=str(out), jobs=args.jobs, quiet=True, translate=translate, **kw
    )


def _timed(config: Any) -> tuple[float, Any]:
    from unmt.pipeline.run.runner import run_documents

    start = time.perf_counter()
    summary = run_documents(config, progress=False)
    return time.perf_counter() - start, summary


def bench_model(model: str, doc: Path, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Time cold, cached and skip runs of one document with ``model``."""
    warm_doc = work / "warm-up.zh.txt"
    warm_doc.write_text("1. 会员国重申承诺。\n", encoding="utf-8")
    _timed(_config(warm_doc, work / "warm" / "run", model, args))
    cold, summary = _timed(_config(doc, work / "bench" / "run", model, args))
    if summary.failed:
        raise UserError(f"the benchmark document failed: {summary.failed}", path=doc)
    cached, _ = _timed(_config(doc, work / "bench" / "run", model, args, force=True))
    skip, _ = _timed(_config(doc, work / "bench" / "run", model, args))
    return {"segments": summary.segments, "cold": cold, "cached": cached, "skip": skip}


def run_bench(args: argparse.Namespace) -> int:
    """The ``unmt bench run`` command."""
    doc = args.doc or (SAMPLE if SAMPLE.is_file() else EXAMPLE)
    if not doc.is_file():
        raise UserError("no such document", path=doc, hint="give one with --doc")
    print(f"unmt bench run: {doc} (backend {args.backend}, beam {args.beam})")
    print(f"{'model':<8} {'segs':>5} {'cold s':>8} {'docs/min':>9} {'segs/s':>8} "
          f"{'cached s':>9} {'skip s':>7}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="unmt-bench-run-") as tmp:
        for name in [m.strip() for m in args.models.split(",") if m.strip()]:
            work = Path(tmp) / name.replace("/", "_")
            work.mkdir()
            model = name
            if name == "full":
                from unmt.pipeline.bench.translate import bench_model_dir

                model = str(bench_model_dir())  # shared with `unmt bench translate`
            r = bench_model(model, doc, args, work)
            print(
                f"{name:<8} {r['segments']:>5} {r['cold']:>8.2f} {60 / r['cold']:>9.2f} "
                f"{r['segments'] / r['cold']:>8.1f} {r['cached']:>9.2f} {r['skip']:>7.3f}"
            )
    print("cold: empty translation cache; cached: --force with the cache warm; skip: re-run.")
    return 0
