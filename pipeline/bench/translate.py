"""``unmt bench translate``: output tokens/s and peak memory, naive code vs unmt's backends.

Unless ``--model`` is given, the model is a random-weight MarianMT of opus-mt-zh-en's exact
shape (6+6 layers, d_model 512, 8 heads, FFN 2048, shared vocabulary of 65,001), built once into
the unmt cache with a SentencePiece model trained on the benchmark text. Inputs are the first
``--sentences`` lines of the UN dev set (``../shared/data/un``; the example document when
absent). Output lengths are forced: each sentence's target length is the token count of its
English reference (1.2x the source without one), and every batch decodes exactly its longest
target (``min = max`` new tokens), as a real model runs until its longest hypothesis ends.
Throughput counts only the target tokens, so padding work is not rewarded.

Every configuration runs in its own process, timed from launch to exit (start-up included, what
a user feels), beside its engine time, its start-up to the first batch and its own peak RSS
(``VmHWM``), ``--repeat`` rounds in turn (paired), medians printed with each round's ratio:

- the anchor, a tuned direct CTranslate2 script (:mod:`unmt.pipeline.bench.direct_ct2`:
  sentencepiece, length-sorted 2,048-token batches, nothing of unmt);
- ``unmt translate``'s code path on CTranslate2 for each ``--compute-types`` entry, and on
  transformers (``--skip-transformers`` leaves it out), each with the cost of a cache hit;
- naive transformers code: batches of 16 in file order, ``generate`` with the same beam;
- with ``--sweep``, unmt on CTranslate2 under other token budgets (no sentence cap), so the
  defaults are chosen by measurement.

One table per ``--beams`` entry, then unmt / direct (target <= 1.05x), unmt vs naive (target
>= 3.0x at beam 4) and peak RSS / direct (target <= 1.10x). ``--device cuda`` runs the same on a
GPU (CTranslate2 float16 by default; add ``--compute-types auto,int8_float16``).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.models.options import MAX_BEAM
from unmt.pipeline.bench.data import shared_file
from unmt.pipeline.bench.direct_ct2 import peak_mib
from unmt.pipeline.cli.options import number, numbers

log = logging.getLogger(__name__)

_SHARED = shared_file("un")
_DEV = (_SHARED / "UNv1.0.devset.zh", _SHARED / "UNv1.0.devset.en")
VOCAB_SIZE = 65001
BACKENDS_TO_RUN = ("transformers", "ctranslate2")


def add_parser(subparsers: Any) -> None:
    """Register ``unmt bench translate``."""
    p = subparsers.add_parser(
        "translate",
        help="translation speed: naive code vs unmt backends",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--model",
        default=None,
        help="model folder or hub id (default: random weights, opus-mt-zh-en shape)",
    )
    p.add_argument(
        "--sentences",
        type=number(int, 1, 100_000),
        default=64,
        help="number of sentences (default 64)",
    )
    p.add_argument(
        "--beams",
        type=numbers(int, 1, MAX_BEAM),
        default=[1, 4],
        help="beam sizes, one table each (default 1,4)",
    )
    p.add_argument(
        "--repeat",
        type=number(int, 1, 100),
        default=3,
        help="rounds of every configuration (default 3)",
    )
    p.add_argument(
        "--compute-types",
        default="auto",
        help="CTranslate2 compute types for unmt, e.g. auto,int8,float32 (default auto)",
    )
    p.add_argument(
        "--sweep",
        type=numbers(int, 1, 1 << 20),
        default=[],
        metavar="TOKENS[,TOKENS...]",
        help="also run unmt (ctranslate2) with these --max-batch-tokens budgets (default: none)",
    )
    p.add_argument(
        "--sweep-sizes",
        type=numbers(int, 1, 4096),
        default=[],
        metavar="N[,N...]",
        help="also run unmt (ctranslate2) with these --batch-size caps under the default token "
        "budget (with --skip-ct2: unmt on transformers, a budget of 64 tokens a sentence; "
        "default: none)",
    )
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"), help="default cpu")
    p.add_argument("--skip-naive", action="store_true", help="do not run the naive baseline")
    p.add_argument(
        "--skip-transformers", action="store_true", help="do not run unmt's transformers backend"
    )
    p.add_argument(
        "--skip-ct2",
        action="store_true",
        help="no CTranslate2 at all (no anchor): unmt's transformers backend against naive "
        "transformers, for a GPU whose CUDA CTranslate2's wheel was not built for",
    )
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def bench_texts(n: int) -> tuple[list[str], list[str] | None]:
    """The first ``n`` non-empty source lines, with their references when there are any."""
    if all(p.is_file() for p in _DEV):
        zh = _DEV[0].read_text(encoding="utf-8").splitlines()
        en = _DEV[1].read_text(encoding="utf-8").splitlines()
        pairs = [(z, e) for z, e in zip(zh, en, strict=False) if z.strip() and e.strip()][:n]
        return [z for z, _ in pairs], [e for _, e in pairs]
    from unmt.models.tiny.marian import corpus_files

    zh_lines = corpus_files()[0].read_text(encoding="utf-8").splitlines()
    return [line for line in zh_lines if line.strip()][:n], None


def bench_model_dir() -> Path:
    """Build (once, into the unmt cache) the random-weight model of opus-mt-zh-en's shape."""
    from unmt.cachedirs import cache_root, file_lock
    from unmt.models.tiny.marian import (
        OPUS_MT_SHAPE,
        TINY_MARKER,
        corpus_lines,
        marian_vocab,
        save_marian_folder,
        train_spm,
    )

    src = "un-dev" if all(p.is_file() for p in _DEV) else "examples"
    dest = cache_root() / "bench" / f"opus-mt-zh-en-shape-random-{src}"
    if (dest / TINY_MARKER).is_file():
        return dest
    with file_lock(dest.parent / ".build.lock"):
        if (dest / TINY_MARKER).is_file():
            return dest
        dest.mkdir(parents=True, exist_ok=True)
        lines = corpus_lines()
        if src == "un-dev":
            lines = [x for p in _DEV for x in p.read_text(encoding="utf-8").splitlines() if x]
        log.warning("building a random-weight model of opus-mt-zh-en's shape in %s", dest)
        pieces = train_spm(lines, dest / "source.spm", vocab_size=16000)
        save_marian_folder(
            dest, dest / "source.spm", marian_vocab(pieces, VOCAB_SIZE), OPUS_MT_SHAPE, seed=0
        )
        marker = {"meaningless": True, "note": "benchmark model with random weights"}
        (dest / TINY_MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
    return dest


def _targets(tok: Any, texts: list[str], refs: list[str] | None) -> dict[str, int]:
    """Forced output length of each text (reference token count, else 1.2x the source)."""
    src = [len(p) for p in tok.encode(texts)]
    if refs is None:
        return {t: max(1, round(1.2 * n)) for t, n in zip(texts, src, strict=True)}
    ref = [len(p) for p in tok.encode(refs)]
    return {t: max(1, n) for t, n in zip(texts, ref, strict=True)}


def _job(args: argparse.Namespace, model: Path, beam: int, **extra: Any) -> dict:
    """A worker's job (``t0``, the launch time, is set by :func:`_launch`)."""
    return {"model": str(model), "beam": beam, "device": args.device, **extra}


def _worker_naive(job: dict, texts: list[str], targets: list[int]) -> dict:
    """Naive transformers code: batches of 16 in file order, ``generate`` with the beam."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    start = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(job["model"])
    mt = AutoModelForSeq2SeqLM.from_pretrained(job["model"]).eval()
    if job["device"] == "cuda":
        mt = mt.to("cuda").half()
    load = time.perf_counter() - start
    engine, startup = 0.0, None
    for i in range(0, len(texts), 16):
        n = max(targets[i : i + 16]) + 1  # + </s>
        enc = tokenizer(texts[i : i + 16], return_tensors="pt", padding=True).to(mt.device)
        startup = startup if startup is not None else time.time() - job["t0"]
        began = time.perf_counter()
        with torch.inference_mode():
            out = mt.generate(**enc, num_beams=job["beam"], min_new_tokens=n, max_new_tokens=n)
        engine += time.perf_counter() - began
        tokenizer.batch_decode(out, skip_special_tokens=True)
    return {"engine": engine, "load": load, "startup": startup}


def _worker_unmt(job: dict, texts: list[str], targets: list[int]) -> dict:
    """``unmt translate``'s code path (tokenizer, batching, cache, engine) with forced lengths."""
    from unmt.models.backends.base import Decoding
    from unmt.models.translate import TranslateOptions, open_translator

    wanted = dict(zip(texts, targets, strict=True))
    startup: list[float] = []

    def forced(texts: Any, sources: Any) -> tuple[Decoding, list[int]]:
        """The benchmark's decoding policy: each batch decodes exactly its longest target."""
        if not startup:
            startup.append(time.time() - job["t0"])
        n = max(wanted[t] for t in texts)
        return Decoding(job["beam"], max_length=n, min_length=n), [n + 1] * len(texts)

    with tempfile.TemporaryDirectory() as tmp:
        opts = TranslateOptions(
            model=job["model"],
            backend=job["backend"],
            beam=job["beam"],
            device=job["device"],
            compute_type=job["compute_type"],
            max_batch_tokens=job["max_batch_tokens"],
            batch_size=job["batch_size"],
            quiet=True,
            cache=Path(tmp) / "bench.sqlite3",
        )
        start = time.perf_counter()
        tr = open_translator(opts, policy=forced)
        tr.translate(texts)
        wall = time.time() - job["t0"]
        result = {
            "wall": wall,
            "engine": tr.engine_seconds,
            "load": time.perf_counter() - start - tr.engine_seconds,
            "startup": startup[0] if startup else None,
            "compute_type": tr.compute_type,
            "heavy": sorted(m for m in ("torch", "transformers") if m in sys.modules),
        }
        tr.close()
        with open_translator(opts) as again:
            began = time.perf_counter()
            again.translate(texts)
            result["cache_hit_ms"] = 1000 * (time.perf_counter() - began) / len(texts)
    return result


def _run_worker(args: argparse.Namespace) -> int:
    job = json.loads(Path(args.worker).read_text(encoding="utf-8"))
    texts, targets = job["texts"], job["targets"]
    result = _worker_naive(job, texts, targets) if job["kind"] == "naive" else None
    if result is None:
        result = _worker_unmt(job, texts, targets)
    result.setdefault("wall", time.time() - job["t0"])
    result["hwm_mib"] = peak_mib()
    print(json.dumps(result))
    return 0


def _launch(cmd: list[str], job: dict, folder: Path) -> dict:
    """Run one configuration in its own process: its JSON line, its whole-process seconds
    (launch to exit, start-up included) and its peak RSS."""
    import os

    stem = folder / f"job-{time.monotonic_ns()}"
    path = stem.with_suffix(".json")
    job["t0"] = time.time()
    path.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    start = time.perf_counter()
    with open(stem.with_suffix(".out"), "wb") as out, open(stem.with_suffix(".err"), "wb") as err:
        proc = subprocess.Popen([*cmd, str(path)], stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
    process = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        tail = stem.with_suffix(".err").read_text(encoding="utf-8", errors="replace")[-1500:]
        raise UserError(f"a benchmark configuration failed ({' '.join(cmd[:4])}): {tail}")
    lines = stem.with_suffix(".out").read_text(encoding="utf-8").strip().splitlines()
    result: dict = json.loads(lines[-1])
    result["process"] = process
    # the child's own VmHWM: wait4's ru_maxrss counts the parent's memory at the fork too
    result["rss_mib"] = result.get("hwm_mib") or usage.ru_maxrss / 1024.0
    return result


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _configs(args: argparse.Namespace) -> list[tuple[str, dict]]:
    """``(label, job fields)`` of every configuration, the anchor first."""
    out: list[tuple[str, dict]] = [] if args.skip_ct2 else [("direct", {"kind": "direct"})]
    for ct in [] if args.skip_ct2 else [c.strip() for c in args.compute_types.split(",") if c]:
        out.append(
            (f"unmt ct2 {ct}", {"kind": "unmt", "backend": "ctranslate2", "compute_type": ct})
        )
    if not args.skip_transformers:
        out.append(
            (
                "unmt transformers",
                {"kind": "unmt", "backend": "transformers", "compute_type": "auto"},
            )
        )
    if not args.skip_naive:
        out.append(("naive", {"kind": "naive"}))
    for budget in args.sweep:
        out.append((f"unmt ct2 tokens {budget}", {
            "kind": "unmt", "backend": "ctranslate2", "compute_type": "auto",
            "max_batch_tokens": budget, "batch_size": 4096,
        }))  # fmt: skip
    for size in args.sweep_sizes:
        if args.skip_ct2:  # a GPU: the sentence cap with a token budget that lets it bind
            out.append((f"unmt transformers batch {size}", {
                "kind": "unmt", "backend": "transformers", "compute_type": "auto",
                "batch_size": size, "max_batch_tokens": 64 * size,
            }))  # fmt: skip
            continue
        out.append((f"unmt ct2 batch {size}", {
            "kind": "unmt", "backend": "ctranslate2", "compute_type": "auto", "batch_size": size,
        }))  # fmt: skip
    return out


def run(args: argparse.Namespace) -> int:
    """Run every configuration in its own process, ``--repeat`` rounds, and print medians."""
    if args.worker:
        return _run_worker(args)
    from unmt.models.backends.base import resolve_settings
    from unmt.models.backends.ct2 import conversion_dir, convert_model
    from unmt.models.options import DEFAULT_BATCH_SIZE, DEFAULT_BATCH_TOKENS
    from unmt.models.resolve import resolve_model
    from unmt.models.spm import SentencePieceTokenizer, spm_files

    model_dir = resolve_model(args.model).path if args.model else bench_model_dir()
    model = resolve_model(str(model_dir))
    files = spm_files(model)
    if files is None:
        raise UserError("the benchmark needs a MarianMT folder (source.spm, target.spm)")
    engine = "transformers" if args.skip_ct2 else "ctranslate2"
    device, auto_ct = resolve_settings(engine, args.device, "auto")
    for quant in () if args.skip_ct2 else ("float32", "int8"):
        convert_model(model, quant)  # once, outside the measured runs
    texts, refs = bench_texts(args.sentences)
    forced = _targets(SentencePieceTokenizer(model), texts, refs)
    targets = [forced[t] for t in texts]
    print(f"model: {model_dir}" + ("" if args.model else " (random weights, opus-mt-zh-en shape)"))
    print(
        f"{len(texts)} sentences ({'UN dev set' if refs else 'example document'}), forced output "
        f"lengths ({sum(targets)} target tokens), device {device}; {engine} compute type "
        f"auto = {auto_ct} here; {args.repeat} round(s), medians"
    )
    bench = [sys.executable, "-m", "unmt", "bench", "translate", "--worker"]
    direct = [sys.executable, str(Path(__file__).with_name("direct_ct2.py"))]
    anchor_quant = "int8" if auto_ct.startswith("int8") else "float32"
    ct2_dir = None if args.skip_ct2 else conversion_dir(model, anchor_quant)
    for beam in args.beams:
        rows: dict[str, list[dict]] = {}
        with tempfile.TemporaryDirectory(prefix="unmt-bench-translate-") as tmp:
            for _ in range(args.repeat):  # rounds: each configuration once per round, paired
                for label, fields in _configs(args):
                    job = _job(args, model_dir, beam, texts=texts, targets=targets,
                               max_batch_tokens=DEFAULT_BATCH_TOKENS,
                               batch_size=DEFAULT_BATCH_SIZE)  # fmt: skip
                    job.update(fields)  # a sweep's own budget replaces the default
                    if fields["kind"] == "direct":
                        job["compute_type"] = auto_ct
                        cmd = [*direct, str(ct2_dir), str(files[0]), str(files[1])]
                    else:
                        cmd = bench
                    rows.setdefault(label, []).append(_launch(cmd, job, Path(tmp)))
        _print_beam(beam, rows, sum(targets))
    return 0


def _print_beam(beam: int, rows: dict[str, list[dict]], tokens: int) -> None:
    print(f"\nbeam {beam}" + (" (greedy)" if beam == 1 else ""))
    print(f"{'configuration':<28}{'process s':>10}{'engine s':>9}{'start-up s':>11}"
          f"{'tok/s':>8}{'peak RSS MiB':>13}  notes")  # fmt: skip
    for label, runs in rows.items():
        process = _median([r["process"] for r in runs])
        notes = []
        if "compute_type" in runs[0]:
            notes.append(runs[0]["compute_type"])
        if runs[0].get("heavy"):
            notes.append("imported " + "+".join(runs[0]["heavy"]))
        if runs[0].get("cache_hit_ms") is not None:
            notes.append(f"cache hit {_median([r['cache_hit_ms'] for r in runs]):.2f} ms/seg")
        name = "direct CTranslate2 (anchor)" if label == "direct" else label
        startup = [r["startup"] for r in runs if r.get("startup") is not None]
        print(
            f"{name:<28}{process:>10.2f}{_median([r['engine'] for r in runs]):>9.2f}"
            f"{_median(startup):>11.2f}{tokens / process:>8.1f}"
            f"{_median([r['rss_mib'] for r in runs]):>13.0f}  {', '.join(notes)}"
        )
    if "direct" not in rows:  # --skip-ct2: unmt's transformers backend against naive code
        if "naive" in rows and "unmt transformers" in rows:
            speed = [
                n["process"] / u["process"]
                for u, n in zip(rows["unmt transformers"], rows["naive"], strict=True)
            ]
            engine = [
                n["engine"] / u["engine"]
                for u, n in zip(rows["unmt transformers"], rows["naive"], strict=True)
            ]
            print(f"unmt transformers vs naive transformers, whole process: {_median(speed):.2f}x "
                  f"faster (rounds: {', '.join(f'{x:.2f}' for x in speed)}); engine alone "
                  f"{_median(engine):.2f}x")  # fmt: skip
        return
    anchor = rows["direct"]
    default = next((k for k in rows if k.startswith("unmt ct2 ")), None)
    if default is not None:
        pairs = [u["process"] / d["process"] for u, d in zip(rows[default], anchor, strict=True)]
        engine = [u["engine"] / d["engine"] for u, d in zip(rows[default], anchor, strict=True)]
        shown = ", ".join(f"{x:.2f}" for x in pairs)
        print(
            f"{default} / direct, whole process: {_median(pairs):.2f}x (rounds: {shown}; "
            f"target <= 1.05x); engine alone {_median(engine):.2f}x"
        )
        if "naive" in rows:
            speed = [
                n["process"] / u["process"]
                for u, n in zip(rows[default], rows["naive"], strict=True)
            ]
            print(f"{default} vs naive transformers, whole process: {_median(speed):.2f}x faster "
                  f"(rounds: {', '.join(f'{x:.2f}' for x in speed)}; target >= 3.0x)")  # fmt: skip
        rss = _median([r["rss_mib"] for r in rows[default]]) / _median(
            [r["rss_mib"] for r in anchor]
        )
        print(f"{default} peak RSS / direct: {rss:.2f}x (target <= 1.10x)")
