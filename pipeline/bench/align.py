"""``unmt bench align``: alignment quality (strict/lax F1) and time on real data.

* ``bible``: Bertalign's English-Chinese Bible benchmark (English is the source); consecutive
  output beads inside one verse are merged before scoring, as Bertalign's evaluation does.
* ``un``: a synthetic benchmark from the UN Parallel Corpus dev set: each document's lines (by
  ``.ids``, in file order) form one bitext; adjacent sentences are merged on one side and some
  deleted at random (seeded), so the gold is known by construction (see :func:`make_un_bitexts`);
* ``un-long``: the same bitexts concatenated into one document of about 3,500 x 3,600
  sentences (exercises the banded search and the second pass on UN text);
* ``mac``: MAC-Dev (six literary chapters with a gold alignment and a machine translation of
  each Chinese line), without and with the MT bridge;
* ``un-synth``: the shared synthetic UN set (20 documents of 150 dev lines, harder merge and
  deletion rates than ``un``; real opus-mt output as the bridge), without and with MT.

``process_peak_MiB`` is the bench process's peak RSS so far (``--scale`` measures apart).
``all`` ends with a table of every set next to the published figures of other aligners.
``--scale 1000,5000`` times the aligner on UN text of that many sentences a side (the dev set
repeated), each size in a process of its own, and prints seconds and peak RSS.
"""

from __future__ import annotations

import argparse
import logging
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.pipeline.bench.data import shared_data
from unmt.pipeline.cli.options import number, numbers

log = logging.getLogger(__name__)

DEFAULT_DATA = shared_data()
Bitext = tuple[list[str], list[str], list[tuple[tuple[int, ...], tuple[int, ...]]], list[str]]


def _lines(path: Path) -> list[str]:
    if not path.exists():
        raise UserError("benchmark data not found", path=path, hint="pass --data DIR")
    return path.read_text(encoding="utf-8").splitlines()


def make_un_bitexts(
    zh: Sequence[str],
    en: Sequence[str],
    ids: Sequence[str],
    *,
    seed: int = 1,
    merge_rate: float = 0.1,
    delete_rate: float = 0.03,
    min_lines: int = 3,
    mt: Sequence[str] | None = None,
) -> list[Bitext]:
    """Synthetic zh/en bitexts with known gold, one per document of the UN dev set.

    Each bitext is (zh sentences, en sentences, gold beads, MT of the zh sentences); the MT is
    built from ``mt`` (line-aligned with ``zh``) and empty when ``mt`` is not given.

    Walking a document's line pairs in order, a pair is (with ``merge_rate``) merged with the
    next pair on one randomly chosen side only (a 1-2 or 2-1 bead), or (with ``delete_rate``)
    loses one side (a 1-0 or 0-1 bead); otherwise it stays 1-1.
    """
    rng = random.Random(seed)
    mts = mt if mt is not None else [""] * len(zh)
    docs: dict[str, list[int]] = {}
    for k, line in enumerate(ids):
        docs.setdefault(line.split(" ", 1)[0], []).append(k)
    out: list[Bitext] = []
    for doc in sorted(docs):
        rows = docs[doc]
        if len(rows) < min_lines:
            continue
        src: list[str] = []
        tgt: list[str] = []
        hyp: list[str] = []
        gold: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        k = 0
        while k < len(rows):
            z, e = zh[rows[k]], en[rows[k]]
            r = rng.random()
            if r < merge_rate and k + 1 < len(rows):
                z2, e2 = zh[rows[k + 1]], en[rows[k + 1]]
                h, h2 = mts[rows[k]], mts[rows[k + 1]]
                if rng.random() < 0.5:
                    gold.append(((len(src),), (len(tgt), len(tgt) + 1)))
                    src.append(z + z2)
                    hyp.append(h + " " + h2)
                    tgt += [e, e2]
                else:
                    gold.append(((len(src), len(src) + 1), (len(tgt),)))
                    src += [z, z2]
                    hyp += [h, h2]
                    tgt.append(e + " " + e2)
                k += 2
                continue
            if r < merge_rate + delete_rate:
                if rng.random() < 0.5:
                    gold.append(((len(src),), ()))
                    src.append(z)
                    hyp.append(mts[rows[k]])
                else:
                    gold.append(((), (len(tgt),)))
                    tgt.append(e)
            else:
                gold.append(((len(src),), (len(tgt),)))
                src.append(z)
                hyp.append(mts[rows[k]])
                tgt.append(e)
            k += 1
        out.append((src, tgt, gold, hyp))
    return out


def bench_bible(data: Path) -> dict[str, float]:
    """Align the Bible pair (en source, languages detected), merge by verse, score."""
    from unmt.eval.align_score import merge_by_units, score_alignments
    from unmt.pipeline.align.aligner import align_sentences
    from unmt.pipeline.align.beadio import read_beads

    root = data / "align" / "bible"
    en, zh = _lines(root / "en" / "001.en"), _lines(root / "zh" / "001.zh")
    gold = [(b.src, b.tgt) for b in read_beads(root / "gold" / "001.align")]
    # the languages as `unmt align` finds them without flags (English SRC: swapped to en->zh)
    from unmt.pipeline.align.langs import choose_languages

    src_lang, tgt_lang, _ = choose_languages("\n".join(en), "\n".join(zh), None, None)
    t0, c0 = time.perf_counter(), time.process_time()
    beads = align_sentences(en, zh, src_lang=src_lang, tgt_lang=tgt_lang)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    pred = merge_by_units(
        [(b.src, b.tgt) for b in beads], _lines(root / "en.verse"), _lines(root / "zh.verse")
    )
    score = score_alignments([(gold, pred)])
    return {"sentences": len(en) + len(zh), "seconds": seconds, "cpu_seconds": cpu} | (
        score.as_dict()
    )


def concatenate(texts: Sequence[Bitext]) -> Bitext:
    """One long bitext from many (gold indices shifted)."""
    src: list[str] = []
    tgt: list[str] = []
    hyp: list[str] = []
    gold: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for s, t, g, h in texts:
        gold += [(tuple(i + len(src) for i in a), tuple(j + len(tgt) for j in b)) for a, b in g]
        src, tgt, hyp = src + s, tgt + t, hyp + h
    return src, tgt, gold, hyp


def bench_un(
    data: Path, seed: int = 1, with_mt: bool = False, long: bool = False
) -> dict[str, float]:
    """Align every synthetic UN bitext and score them together (``with_mt``: MT bridge on;
    ``long``: all bitexts concatenated into one long document)."""
    from unmt.eval.align_score import score_alignments
    from unmt.pipeline.align.aligner import align_sentences

    root = data / "un"
    mt = None
    if with_mt:
        mt = _lines(data / "baselines" / "opus-mt-zh-en.UNv1.0.devset.hyp.en")
    texts = make_un_bitexts(
        _lines(root / "UNv1.0.devset.zh"),
        _lines(root / "UNv1.0.devset.en"),
        _lines(root / "UNv1.0.devset.ids"),
        seed=seed,
        mt=mt,
    )
    if long:
        texts = [concatenate(texts)]
    t0, c0 = time.perf_counter(), time.process_time()
    pairs = []
    for src, tgt, gold, hyp in texts:
        beads = align_sentences(src, tgt, src_lang="zh", tgt_lang="en", mt=hyp if mt else None)
        pairs.append((gold, [(b.src, b.tgt) for b in beads]))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    score = score_alignments(pairs)
    n = sum(len(s) + len(t) for s, t, _, _ in texts)
    return {"documents": len(texts), "sentences": n, "seconds": seconds, "cpu_seconds": cpu} | (
        score.as_dict()
    )


#: published strict F1 of other aligners (MAC-Dev: Liu & Zhu 2022, the Bertalign paper)
PUBLISHED = {
    "mac": "Bertalign (LaBSE) 0.911, Vecalign 0.863, Bleualign 0.641, Hunalign 0.610",
    "bible": "Bertalign 0.979, Vecalign 0.978",
}


def bench_gold_set(data: Path, name: str, with_mt: bool) -> dict[str, float]:
    """Align a shared set that comes with a gold alignment and an MT of its source lines."""
    import resource

    from unmt.eval.align_score import score_alignments
    from unmt.pipeline.align.aligner import align_sentences
    from unmt.pipeline.align.beadio import read_beads

    if name == "mac":
        root = data / "align" / "mac_dev"
        chapters = [f"{k:03d}" for k in range(1, 7)]
        files = [(root / "zh" / f"{n}.zh", root / "en" / f"{n}.en", root / "mt" / f"{n}.mt",
                  root / "gold" / f"{n}.align") for n in chapters]  # fmt: skip
    else:
        root = data / "align" / "un_synth_dev"
        files = [(root / f"{n:03d}.zh", root / f"{n:03d}.en", root / f"{n:03d}.mt",
                  root / f"{n:03d}.align") for n in range(1, 21)]  # fmt: skip
    texts = [(_lines(z), _lines(e), _lines(m), read_beads(g)) for z, e, m, g in files]
    t0 = time.perf_counter()
    pairs = []
    for zh, en, mt, gold in texts:
        beads = align_sentences(zh, en, src_lang="zh", tgt_lang="en", mt=mt if with_mt else None)
        pairs.append(([(b.src, b.tgt) for b in gold], [(b.src, b.tgt) for b in beads]))
    seconds = time.perf_counter() - t0
    n = sum(len(z) + len(e) for z, e, _, _ in texts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "documents": len(texts),
        "sentences": n,
        "seconds": seconds,
        "process_peak_MiB": peak,
    } | (score_alignments(pairs).as_dict())


def _scale(data: Path, sizes: list[int]) -> None:
    """Seconds and peak RSS of aligning n x n UN sentences, each size in a fresh process."""
    import json
    import subprocess
    import sys

    code = (
        "import json,sys\n"
        "from pathlib import Path\n"
        "from unmt.pipeline.bench.align import bench_scaled\n"
        "print(json.dumps(bench_scaled(Path(sys.argv[1]), int(sys.argv[2]))))\n"
    )
    for n in sizes:
        out = subprocess.run(
            [sys.executable, "-c", code, str(data), str(n)], capture_output=True, text=True
        )
        if out.returncode != 0:
            raise UserError(f"the scaling run of {n} sentences failed: {out.stderr[-500:]}")
        r = json.loads(out.stdout.splitlines()[-1])
        print(
            f"align scale {n:>6} x {n:<6} sentences: {r['seconds']:7.1f} s, "
            f"peak {r['peak_MiB']:6.0f} MiB (whole process)"
        )


def bench_scaled(data: Path, n: int) -> dict[str, float]:
    """Align the first ``n`` lines of the UN dev set (repeated as needed) with their English,
    as one document with the MT bridge off (what ``--scale`` runs in a process of its own)."""
    import resource

    from unmt.pipeline.align.aligner import align_sentences

    zh, en = _lines(data / "un" / "UNv1.0.devset.zh"), _lines(data / "un" / "UNv1.0.devset.en")
    src = [zh[i % len(zh)] for i in range(n)]
    tgt = [en[i % len(en)] for i in range(n)]
    t0 = time.perf_counter()
    align_sentences(src, tgt, src_lang="zh", tgt_lang="en")
    return {
        "seconds": time.perf_counter() - t0,
        "peak_MiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _table(results: dict[str, dict[str, float]]) -> None:
    print("strict F1        no MT   with MT  published")
    for name in ("mac", "un-synth", "un", "un-long", "bible"):
        plain, bridged = results.get(name), results.get(name + "+mt")
        if plain is None and bridged is None:
            continue
        cells = [f"{r['strict_f1']:.4f}" if r else "   -  " for r in (plain, bridged)]
        print(f"{name:<15} {cells[0]:>7}  {cells[1]:>7}  {PUBLISHED.get(name, '-')}")


def _run(args: argparse.Namespace) -> int:
    data = Path(args.data)
    if args.scale:
        _scale(data, args.scale)
        return 0
    if args.which == "all":
        which = ["bible", "un", "un-long", "mac", "mac+mt", "un-synth", "un-synth+mt"]
    else:
        which = [args.which + ("+mt" if args.mt else "")]
    results: dict[str, dict[str, float]] = {}
    for name in which:
        base, with_mt = name.removesuffix("+mt"), name.endswith("+mt")
        if base == "bible":
            result = bench_bible(data)
        elif base in ("mac", "un-synth"):
            result = bench_gold_set(data, base, with_mt)
        else:
            with_mt = with_mt or args.mt
            result = bench_un(data, args.seed, with_mt, long=base == "un-long")
            name = base + ("+mt" if with_mt else "")
        results[name] = result
        figures = " ".join(
            f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()
        )
        print(f"align {name}: {figures}", flush=True)
    from unmt.pipeline.align.aligner import alignment_signature

    print(f"signature: {alignment_signature(mt=any(n.endswith('+mt') for n in results))}")
    if len(results) > 1:
        _table(results)
    return 0


def add_parser(subparsers: Any) -> None:
    """Register ``unmt bench align``."""
    p = subparsers.add_parser("align", help="sentence alignment F1 and time (Bible, UN)")
    p.add_argument(
        "which",
        nargs="?",
        choices=["all", "bible", "un", "un-long", "mac", "un-synth"],
        default="all",
        help="un: one bitext per UN document; un-long: all of them as one long document; "
        "mac: MAC-Dev; un-synth: the shared synthetic UN set (default all)",
    )
    p.add_argument(
        "--data", default=str(DEFAULT_DATA), help=f"the shared data folder (default {DEFAULT_DATA})"
    )
    p.add_argument(
        "--seed",
        type=number(int, 0, 2**32 - 1),
        default=1,
        help="seed of the synthetic UN benchmark (default 1)",
    )
    p.add_argument(
        "--mt",
        action="store_true",
        help="with the MT bridge (un, un-long: opus-mt-zh-en output in baselines/; mac, "
        "un-synth: their own mt files); all runs both",
    )
    p.add_argument(
        "--scale",
        type=numbers(int, 1, 1_000_000),
        metavar="N,N",
        help="instead: time n x n sentences of UN text for each N, in fresh processes",
    )
    p.set_defaults(func=_run)
