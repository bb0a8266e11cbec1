"""``unmt bench translate``: output tokens/s and peak memory, naive code vs unmt's backends.

Unless ``--model`` is given, the model is a random-weight MarianMT of opus-mt-zh-en's exact
shape (6+6 layers, d_model 512, 8 heads, FFN 2048, shared vocabulary of 65,001), built once into
the unmt cache with a SentencePiece model trained on the benchmark text. Inputs are the first
``--sentences`` lines of the UN dev set (``../shared/data/un``; the example document when
absent). Output lengths are forced: each sentence's target length is the token count of its
English reference (1.2x the source without one), and every batch decodes exactly its longest
target (``min = max`` new tokens), as a real model runs until its longest hypothesis ends.
Throughput counts only the target tokens, so padding work is not rewarded.

Every configuration runs in its own process (so peak RSS is its own):
(a) naive transformers code: unsorted batches of 16, ``generate`` with the same beam;
(b) unmt with each backend (sorted, token-budget batches); the share of wall time spent
outside the engine; and, for the default backend, the cost of a cache hit per segment.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from unmt.pipeline.bench.data import shared_file

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
    p.add_argument("--sentences", type=int, default=64, help="number of sentences (default 64)")
    p.add_argument("--beam", type=int, default=4, help="beam size for every configuration")
    p.add_argument("--skip-naive", action="store_true", help="do not run the naive baseline")
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


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _worker_naive(model: Path, texts: list[str], refs: list[str] | None, beam: int) -> dict:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from unmt.models.family import ModelTokenizer
    from unmt.models.resolve import resolve_model

    targets = _targets(ModelTokenizer(resolve_model(str(model))), texts, refs)
    t0 = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(str(model))
    mt = AutoModelForSeq2SeqLM.from_pretrained(str(model)).eval()
    load = time.perf_counter() - t0
    start = time.perf_counter()
    for i in range(0, len(texts), 16):
        batch = texts[i : i + 16]
        n = max(targets[t] for t in batch) + 1  # + </s>
        enc = tokenizer(batch, return_tensors="pt", padding=True)
        with torch.inference_mode():
            out = mt.generate(**enc, num_beams=beam, min_new_tokens=n, max_new_tokens=n)
        tokenizer.batch_decode(out, skip_special_tokens=True)
    wall = time.perf_counter() - start
    return {"wall": wall, "engine": wall, "load": load, "tokens": sum(targets[t] for t in texts)}


def _worker_unmt(
    model: Path, texts: list[str], refs: list[str] | None, beam: int, backend: str
) -> dict:
    from unmt.models.backends.base import Decoding
    from unmt.models.translate import TranslateOptions, open_translator

    targets: dict[str, int] = {}

    def forced(texts: Any, sources: Any) -> tuple[Decoding, list[int]]:
        """The benchmark's decoding policy: each batch decodes exactly its longest target."""
        longest = max(targets[t] for t in texts)
        return Decoding(beam, max_length=longest, min_length=longest), [longest + 1] * len(texts)

    with tempfile.TemporaryDirectory() as tmp:
        opts = TranslateOptions(
            model=str(model),
            backend=backend,
            beam=beam,
            quiet=True,
            cache=Path(tmp) / "bench.sqlite3",
        )
        t0 = time.perf_counter()
        tr = open_translator(opts, policy=forced)
        tr.backend  # noqa: B018 - load the engine outside the timed part
        load = time.perf_counter() - t0
        targets.update(_targets(tr.tokenizer, texts, refs))
        start = time.perf_counter()
        tr.translate(texts)
        wall = time.perf_counter() - start
        result = {
            "wall": wall,
            "engine": tr.engine_seconds,
            "load": load,
            "tokens": sum(targets[t] for t in texts),
            "calls": tr.model_calls,
        }
        tr.close()
        with open_translator(opts) as again:
            start = time.perf_counter()
            again.translate(texts)
            result["cache_hit_ms"] = 1000 * (time.perf_counter() - start) / len(texts)
            assert again.model_calls == 0
    return result


def _run_worker(args: argparse.Namespace) -> int:
    model = Path(args.model)
    texts, refs = bench_texts(args.sentences)
    if args.worker == "naive":
        result = _worker_naive(model, texts, refs, args.beam)
    else:
        result = _worker_unmt(model, texts, refs, args.beam, args.worker)
    result["rss_mib"] = _peak_rss_mib()
    print(json.dumps(result))
    return 0


def run(args: argparse.Namespace) -> int:
    """Run every configuration in a subprocess and print the table."""
    if args.worker:
        return _run_worker(args)
    from unmt.models.backends.base import resolve_backend_name
    from unmt.models.backends.ct2 import convert_model
    from unmt.models.resolve import resolve_model

    model = resolve_model(args.model).path if args.model else bench_model_dir()
    if "ctranslate2" in BACKENDS_TO_RUN:
        convert_model(resolve_model(str(model)), "float32")  # once, outside the measured runs
    texts, refs = bench_texts(args.sentences)
    default = resolve_backend_name("auto")
    configs = ([] if args.skip_naive else ["naive"]) + list(BACKENDS_TO_RUN)
    print(f"model: {model}" + ("" if args.model else " (random weights, opus-mt-zh-en shape)"))
    print(
        f"{len(texts)} sentences ({'UN dev set' if refs else 'example document'}), "
        f"beam {args.beam}, forced output lengths; default backend: {default}"
    )
    rows: dict[str, dict] = {}
    for name in configs:
        cmd = [
            sys.executable,
            "-m",
            "unmt",
            "bench",
            "translate",
            "--worker",
            name,
            "--model",
            str(model),
            "--sentences",
            str(args.sentences),
            "--beam",
            str(args.beam),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"{name}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
            return 1
        rows[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"{'configuration':<26}{'tok/s':>9}{'wall s':>9}{'load s':>8}{'outside':>9}"
        f"{'peak RSS MiB':>14}"
    )
    for name, r in rows.items():
        label = "naive transformers b16" if name == "naive" else f"unmt {name}"
        outside = "" if name == "naive" else f"{100 * (1 - r['engine'] / r['wall']):.2f}%"
        print(
            f"{label:<26}{r['tokens'] / r['wall']:>9.1f}{r['wall']:>9.2f}{r['load']:>8.2f}"
            f"{outside:>9}{r['rss_mib']:>14.0f}"
        )
    best = rows[default]
    if "naive" in rows:
        speed = (best["tokens"] / best["wall"]) / (rows["naive"]["tokens"] / rows["naive"]["wall"])
        print(f"unmt default ({default}) vs naive: {speed:.2f}x (target >= 2.0x)")
    print(
        f"time outside the engine ({default}): {100 * (1 - best['engine'] / best['wall']):.2f}%"
        " (target <= 5%)"
    )
    print(f"cache hit: {best['cache_hit_ms']:.3f} ms per segment (target < 1 ms)")
    return 0
