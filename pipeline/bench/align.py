"""``unmt bench align``: alignment quality (strict/lax F1) and time on real data.

* ``bible``: Bertalign's English-Chinese Bible benchmark (English is the source); consecutive
  output beads inside one verse are merged before scoring, as Bertalign's evaluation does.
* ``un``: a synthetic benchmark from the UN Parallel Corpus dev set: each document's lines (by
  ``.ids``, in file order) form one bitext; adjacent sentences are merged on one side and some
  deleted at random (seeded), so the gold is known by construction (see :func:`make_un_bitexts`);
* ``un-long``: the same bitexts concatenated into one document of about 3,500 x 3,600
  sentences (exercises the banded search and the second pass on UN text).
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


def _run(args: argparse.Namespace) -> int:
    data = Path(args.data)
    which = ["bible", "un", "un-long"] if args.which == "all" else [args.which]
    for name in which:
        if name == "bible":
            result = bench_bible(data)
        else:
            result = bench_un(data, args.seed, args.mt, long=name == "un-long")
        figures = " ".join(
            f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()
        )
        print(f"align {name}: {figures}")
    from unmt.pipeline.align.aligner import alignment_signature

    print(f"signature: {alignment_signature(mt=args.mt and which != ['bible'])}")
    return 0


def add_parser(subparsers: Any) -> None:
    """Register ``unmt bench align``."""
    p = subparsers.add_parser("align", help="sentence alignment F1 and time (Bible, UN)")
    p.add_argument(
        "which",
        nargs="?",
        choices=["all", "bible", "un", "un-long"],
        default="all",
        help="un: one bitext per UN document; un-long: all of them as one long document "
        "(default all)",
    )
    p.add_argument(
        "--data", default=str(DEFAULT_DATA), help=f"the shared data folder (default {DEFAULT_DATA})"
    )
    p.add_argument(
        "--seed", type=int, default=1, help="seed of the synthetic UN benchmark (default 1)"
    )
    p.add_argument(
        "--mt",
        action="store_true",
        help="UN benchmark with the MT bridge (opus-mt-zh-en output in baselines/)",
    )
    p.set_defaults(func=_run)
