"""``unmt bench run``: end-to-end throughput of ``unmt run`` (documents/min, segments/s).

For each model (the tiny test model, and a random-weight model of opus-mt-zh-en's full shape:
6+6 layers, d_model 512, 8 heads, FFN 2048, shared vocab 65,001) it runs the whole pipeline on
one document into a fresh run directory with an empty translation cache and prints:

- *cold*: every stage, translation included (what a first run costs);
- *cached*: ``--force`` with the translation cache warm (everything but the model);
- *skip*: a re-run with nothing changed (state checks only).

``--corpus N[,N...]`` measures what a corpus builder feels instead: N generated documents of five
numbered paragraphs each (every document's text its own), run cold with the tiny model by a
separate ``unmt run`` process (start-up included), then re-run with nothing changed. It prints
documents/s, the per-document overhead (wall time minus the stages' own recorded seconds,
divided by N) next to the stage time per document, the re-run time and each process's peak RSS.
With ``--ray`` each size is also run cold with ``--engine ray`` (one and two translator actors):
its time as a ratio of the local engine's, measured in the same invocation, and whether its
files are byte for byte the local run's.

The full-size model is ``unmt bench translate``'s (built once into the unmt cache). Model
building and CTranslate2 conversion happen in a warm-up run on a one-line document and are
not timed. Random weights produce outputs as long as the translator allows (twice the source
plus ten tokens), so the full-size figures are a pessimistic bound for translation time.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.models.options import TranslateOptions
from unmt.pipeline.bench.data import EXAMPLES, shared_file
from unmt.pipeline.cli.options import add_settings, number, numbers
from unmt.settings import specs

SAMPLE = shared_file("samples/E-CN.15-2021-5.zh.txt")
EXAMPLE = EXAMPLES / "un-report.zh.txt"


def add_parser(subparsers: Any) -> None:
    """Register ``unmt bench run``."""
    p = subparsers.add_parser("run", help="end-to-end documents/min and segments/s of `unmt run`")
    p.add_argument(
        "--corpus",
        type=numbers(int, 1, 10_000_000),
        metavar="N[,N...]",
        help="corpus mode: N generated documents per size (e.g. 100,1000; see the module doc)",
    )
    p.add_argument(
        "--ray",
        action="store_true",
        help="corpus mode: also run each size with --engine ray (1 and 2 translator actors)",
    )
    p.add_argument("--doc", type=Path, help=f"the document (default {SAMPLE}, else {EXAMPLE})")
    p.add_argument(
        "--models",
        default="tiny,full",
        help="comma-separated: tiny, full, or a model path/id (default tiny,full)",
    )
    engine = specs(TranslateOptions)
    add_settings(p, [engine["backend"], engine["beam"], engine["device"]])
    p.add_argument(
        "--jobs",
        type=number(int, 1, 256),
        default=1,
        help="processes for the cheap stages (default 1)",
    )
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


_PARAGRAPH = (
    "{p}. 会员国在第{d}号报告中重申打击恐怖主义的承诺，并请秘书长在第{n}届会议上提交报告。"
    "联合国毒品和犯罪问题办公室向{k}个国家提供了技术援助。"
)


def write_corpus(folder: Path, n: int) -> Path:
    """``n`` small UN-style documents of five numbered paragraphs each, all different."""
    folder.mkdir(parents=True, exist_ok=True)
    for d in range(n):
        paras = "\n\n".join(
            _PARAGRAPH.format(p=p, d=d, n=60 + d % 17, k=3 + (d * 7 + p) % 50) for p in range(1, 6)
        )
        text = f"大会\n\n第{d}号报告\n\n一. 导言\n\n{paras}\n"
        (folder / f"doc{d:06d}.zh.txt").write_text(text, encoding="utf-8")
    return folder


def _timed_process(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``unmt`` process."""
    import os
    import subprocess
    import sys

    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "unmt", *argv], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise UserError(f"unmt {' '.join(argv[:2])} exited {proc.returncode}")
    return wall, usage.ru_maxrss / 1024


def _bench_ray(docs: Path, local: Path, local_cold: float, cache: Path, a: Any) -> None:
    """``--engine ray`` on the same documents, cold like the local run (a translation cache of
    its own): its time against the local engine's, with 1 and 2 translator actors, and whether
    the files are byte for byte the local run's."""
    from unmt.pipeline.run.rundir import output_files

    for n in (1, 2):
        out = local.with_name(f"{local.name}-ray{n}")
        argv = ["run", str(docs), "-o", str(out), "--model", "tiny", "--quiet", "--cache"]
        argv += [
            str(cache.with_name(f"ray{n}-{out.name}.sqlite")),
            "--backend",
            a.backend,
            "--engine",
            "ray",
            "--translators",
            str(n),
        ]
        wall, rss = _timed_process(argv)
        same = output_files(out) == output_files(local)
        print(
            f"{'':>7} --engine ray --translators {n}: {wall:.2f} s = {wall / local_cold:.2f}x the "
            f"local cold run, {len(list(docs.iterdir())) / wall:.1f} docs/s, peak {rss:.0f} MiB "
            f"(driver), outputs {'identical' if same else 'DIFFERENT'}"
        )
        shutil.rmtree(out)


def bench_corpus(sizes: list[int], args: argparse.Namespace, work: Path) -> None:
    """The ``--corpus`` mode (see the module docstring)."""
    from unmt.pipeline.run.state import STATE_FILE, StateStore

    print("unmt bench run --corpus: generated documents of 5 numbered paragraphs, tiny model")
    print(f"{'docs':>7} {'cold s':>8} {'docs/s':>7} {'stage ms/doc':>13} {'overhead ms/doc':>16} "
          f"{'rerun s':>8} {'peak MiB cold':>14} {'peak MiB rerun':>15}")  # fmt: skip
    cache = work / "cache.sqlite"
    for n in sizes:
        docs = write_corpus(work / f"docs{n}", n)
        out = work / f"run{n}"
        base = ["run", str(docs), "-o", str(out), "--model", "tiny", "--quiet"]
        base += ["--cache", str(cache), "--jobs", str(args.jobs), "--backend", args.backend]
        cold, cold_rss = _timed_process(base)
        rerun, rerun_rss = _timed_process(base)
        store = StateStore(out / STATE_FILE, create=False, readonly=True)
        entries = store.documents()
        store.close()
        stage_s = sum(r.seconds for e in entries.values() for r in e.stages.values())
        print(
            f"{n:>7} {cold:>8.2f} {n / cold:>7.1f} {1000 * stage_s / n:>13.2f} "
            f"{1000 * (cold - stage_s) / n:>16.2f} {rerun:>8.2f} {cold_rss:>14.0f} "
            f"{rerun_rss:>15.0f}"
        )
        if args.ray:
            _bench_ray(docs, out, cold, cache, args)
        shutil.rmtree(docs)
        shutil.rmtree(out)
    print(
        "cold: a fresh run directory (a warm-up run built the tiny model first); rerun: the "
        "same command again with nothing changed; both whole processes, start-up included."
    )


def run_bench(args: argparse.Namespace) -> int:
    """The ``unmt bench run`` command."""
    if args.corpus:
        sizes = args.corpus
        with tempfile.TemporaryDirectory(prefix="unmt-bench-corpus-") as tmp:
            warm = write_corpus(Path(tmp) / "warm", 1)
            _timed_process(["run", str(warm), "-o", str(Path(tmp) / "warm-run"), "--model", "tiny",
                            "--quiet", "--backend", args.backend])  # fmt: skip
            bench_corpus(sizes, args, Path(tmp))
        return 0
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
