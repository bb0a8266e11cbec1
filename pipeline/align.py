"""Sentence alignment: a banded dynamic programme over beads, searched coarse to fine.

Public API (called by the run stage and by ``unmt align``)::

    align_sentences(src, tgt, *, src_lang="zh", tgt_lang="en", mt=None,
                    src_groups=None, tgt_groups=None, settings=None) -> list[Bead]
    align_segments(src_segments, tgt_segments, mt=None, *, src_lang="zh",
                   tgt_lang="en", settings=None) -> list[Bead]

Both return beads in order, 0-based indices, every sentence of both sides in exactly one bead
(1-0 and 0-1 beads mark sentences left unaligned). ``mt`` is the source translated into the
target language, line by line (the MT bridge). ``src_groups``/``tgt_groups`` give each sentence
an anchor key (for UN documents: the paragraph number or heading label); keys found exactly once
on each side, in the same order, become hard anchors and sentences align inside them.

Method: bead types 1-1, 1-0, 0-1, 1-2, 2-1, 1-3, 3-1, 1-4, 4-1. A bead costs a Gale-Church
style length term (Gaussian: delta**2 / 2, delta the length difference over its expected
deviation, with the zh/en ratio and variance of :mod:`unmt.pipeline.align_sim`), plus
``1 - Dice`` of its feature sets weighted by the number of sentences it covers, plus a prior per
bead type; a sentence left out costs :attr:`AlignSettings.skip`. The search is vecalign's: the
document is coarsened (blocks of :data:`BLOCK` sentences) until the full table is small, aligned
there, and the path is projected back as a band of :attr:`AlignSettings.margin` sentences, so
time and memory grow linearly. Long documents (:attr:`AlignSettings.learn`) are aligned twice:
the second pass adds word pairs learned from the first alignment
(:mod:`unmt.pipeline.align_learn`), bead-type priors estimated from it, and searches a band
around the first path. Ties break by the fixed order of bead types: deterministic.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from unmt.pipeline.align_embed import Embedder, normalised_rows, span_vectors
from unmt.pipeline.align_learn import learn_pairs
from unmt.pipeline.align_sim import (
    SideFeatures,
    SimSettings,
    feature_sets,
    pack_features,
)
from unmt.pipeline.align_sim import length_variance as _variance
from unmt.pipeline.records import Bead, Segment

log = logging.getLogger(__name__)

#: coarsening factor per level of the coarse-to-fine search
BLOCK = 8
#: the full table is searched when it has at most this many cells
FULL_CELLS = 60_000
_INF = float("inf")


@dataclass(frozen=True)
class AlignSettings:
    """Weights of the bead cost; the defaults were tuned on the Bible and UN benchmarks.

    Attributes:
        types: allowed bead types (source count, target count).
        priors: extra cost per bead type (1-1 costs nothing).
        skip: cost per sentence left unaligned (1-0 or 0-1).
        w_len: weight of the (Gaussian, Gale-Church style) length cost.
        w_sim: weight of ``1 - Dice`` per sentence covered.
        no_features: the Dice value assumed when neither side has any feature.
        margin: half-width, in sentences, of the band around the coarse path.
        guide_margin: half-width of the band around the first pass's path in the second.
        w_emb: weight of ``1 - cosine`` per sentence covered (only with embeddings).
        embeddings: a sentence-transformers model id or path: turns embeddings on.
        learn: realign once with word pairs learned from the first alignment (documents of
            at least ``learn_min_lines`` sentences on both sides).
        sim: similarity sources and feature settings.
    """

    types: tuple[tuple[int, int], ...] = (
        (1, 1),
        (1, 0),
        (0, 1),
        (1, 2),
        (2, 1),
        (1, 3),
        (3, 1),
        (1, 4),
        (4, 1),
    )
    priors: dict[tuple[int, int], float] = field(
        default_factory=lambda: {
            (1, 2): 2.0,
            (2, 1): 2.0,
            (1, 3): 3.0,
            (3, 1): 3.0,
            (1, 4): 4.0,
            (4, 1): 4.0,
        }
    )
    skip: float = 3.0
    w_len: float = 0.45
    w_sim: float = 5.0
    no_features: float = 0.3
    margin: int = 12
    guide_margin: int = 8
    learn: bool = True
    embeddings: str | None = None
    w_emb: float = 5.0
    learn_min_lines: int = 100
    sim: SimSettings = field(default_factory=SimSettings)


class _Table:
    """Span sums (lengths, feature unions, embeddings) of one side, for spans of 1..4 sentences."""

    def __init__(self, side: SideFeatures, widest: int) -> None:
        lengths, masks = side.lengths, side.masks
        n = len(lengths)
        self.n = n
        self.vec: list[Any] | None = None
        if side.vectors is not None:
            self.vec = [None] + [span_vectors(side.vectors, k) for k in range(1, widest + 1)]
        self.length: list[list[float]] = [[0.0] * (n + 1)]
        self.mask: list[list[int]] = [[0] * (n + 1)]
        self.count: list[list[int]] = [[0] * (n + 1)]
        for k in range(1, widest + 1):
            ln = [sum(lengths[i : i + k]) for i in range(n - k + 1)]
            mk = []
            for i in range(n - k + 1):
                m = 0
                for x in masks[i : i + k]:
                    m |= x
                mk.append(m)
            self.length.append(ln)
            self.mask.append(mk)
            self.count.append([m.bit_count() for m in mk])


def _dp(
    src: _Table, tgt: _Table, lo: list[int], hi: list[int], s: AlignSettings, var: float
) -> list[tuple[int, int, int, int, float]]:
    """Best path inside the band; returns beads as (i, a, j, b, dice)."""
    n, m = src.n, tgt.n
    types = [t for t in s.types if t[0] <= n and t[1] <= m]
    prior = [s.priors.get(t, 0.0) for t in types]
    # Gaussian length cost delta**2 / 2 with delta = (lt - ls) / sqrt(var * (ls + lt) / 2)
    w_len, w_sim, no_feat = s.w_len / var, s.w_sim / 2, s.no_features
    w_emb = s.w_emb / 2
    cost: list[list[float]] = [[] for _ in range(n + 1)]
    back: list[list[int]] = [[] for _ in range(n + 1)]
    for i in range(n + 1):
        lo_i = lo[i]
        row = [_INF] * (hi[i] - lo_i + 1)
        brow = [-1] * len(row)
        cost[i], back[i] = row, brow
        # everything that depends only on the row and the bead type, hoisted out of the j loop
        moves: list[tuple[Any, ...]] = []
        for t, (a, b) in enumerate(types):
            pi = i - a
            if pi < 0:
                continue
            if a == 0 or b == 0:
                moves.append((t, b, cost[pi], lo[pi], hi[pi], None, 0, 0.0, None, None,
                              None, s.skip * (a + b), 0.0, None, 0))  # fmt: skip
                continue
            dots, first = None, 0
            if src.vec is not None and tgt.vec is not None:
                # cosines of this source span with every target span the band can reach
                first = max(lo_i - b, lo[pi], 0)
                last = min(hi[i] - b, hi[pi], len(tgt.vec[b]) - 1)
                if last >= first:
                    dots = (
                        w_emb * (a + b) * (1 - tgt.vec[b][first : last + 1] @ src.vec[a][pi])
                    ).tolist()
            moves.append((t, b, cost[pi], lo[pi], hi[pi], src.mask[a][pi],
                          src.count[a][pi], src.length[a][pi], tgt.mask[b],
                          tgt.count[b], tgt.length[b], prior[t], w_sim * (a + b),
                          dots, first))  # fmt: skip
        for j in range(lo_i, hi[i] + 1):
            best, bt = (0.0, -1) if i == 0 and j == 0 else (_INF, -1)
            for t, b, prow, plo, phi, sm, sc, ls, tms, tcs, tls, fixed, ws, dots, first in moves:
                pj = j - b
                if pj < plo or pj > phi:
                    continue
                c = prow[pj - plo]
                if c == _INF:
                    continue
                if sm is None:
                    c += fixed
                else:
                    tot = sc + tcs[pj]
                    dice = 2 * (sm & tms[pj]).bit_count() / tot if tot else no_feat
                    lt = tls[pj]
                    c += fixed + ws * (1 - dice)
                    if dots is not None:
                        c += dots[pj - first]
                    if ls + lt > 0:
                        c += w_len * (lt - ls) ** 2 / (ls + lt)
                if c < best:
                    best, bt = c, t
            row[j - lo_i], brow[j - lo_i] = best, bt
    beads: list[tuple[int, int, int, int, float]] = []
    i, j = n, m
    while i > 0 or j > 0:
        t = back[i][j - lo[i]]
        if t < 0:
            raise RuntimeError(f"alignment band has no path at ({i}, {j})")
        a, b = types[t]
        i, j = i - a, j - b
        dice = 0.0
        if a and b:
            tot = src.count[a][i] + tgt.count[b][j]
            o = (src.mask[a][i] & tgt.mask[b][j]).bit_count()
            dice = 2 * o / tot if tot else 0.0
        beads.append((i, a, j, b, dice))
    beads.reverse()
    return beads


def _band_from_path(
    path: list[tuple[int, int, int, int, float]], k: int, n: int, m: int, margin: int
) -> tuple[list[int], list[int]]:
    lo, hi = [m] * (n + 1), [0] * (n + 1)
    for i, a, j, b, _ in path:
        c0, c1 = min(j * k, m), min((j + b) * k, m)
        for r in range(min(i * k, n), min((i + a) * k, n) + 1):
            lo[r], hi[r] = min(lo[r], c0), max(hi[r], c1)
    wlo = [max(0, min(lo[max(0, r - margin) : r + margin + 1]) - margin) for r in range(n + 1)]
    whi = [min(m, max(hi[max(0, r - margin) : r + margin + 1]) + margin) for r in range(n + 1)]
    for r in range(n - 1, -1, -1):
        wlo[r] = min(wlo[r], wlo[r + 1])
    for r in range(1, n + 1):
        whi[r] = max(whi[r], whi[r - 1])
    wlo[0], whi[n] = 0, m
    return wlo, whi


def _coarsen(side: SideFeatures, k: int) -> SideFeatures:
    lengths, masks = [], []
    for start in range(0, len(side.lengths), k):
        lengths.append(sum(side.lengths[start : start + k]))
        m = 0
        for x in side.masks[start : start + k]:
            m |= x
        masks.append(m)
    vectors = None
    if side.vectors is not None:
        import numpy as np

        starts = list(range(0, len(side.lengths), k))
        vectors = normalised_rows(np.add.reduceat(side.vectors, starts, axis=0))
    return SideFeatures(tuple(lengths), tuple(masks), vectors)


def _search(
    src: SideFeatures,
    tgt: SideFeatures,
    s: AlignSettings,
    var: float,
    guide: list[tuple[int, int, int, int, float]] | None = None,
) -> list[tuple[int, int, int, int, float]]:
    n, m = len(src.lengths), len(tgt.lengths)
    if guide is not None:
        lo, hi = _band_from_path(guide, 1, n, m, s.guide_margin)
    elif (n + 1) * (m + 1) <= FULL_CELLS or min(n, m) < 4 * BLOCK:
        lo, hi = [0] * (n + 1), [m] * (n + 1)
    else:
        # a block stands for BLOCK sentences: skipping it or mismatching it costs as much,
        # while merges of blocks are normal (blocks of both sides do not correspond)
        coarse_s = dataclasses.replace(
            s,
            skip=s.skip * BLOCK,
            w_sim=s.w_sim * BLOCK,
            priors={t: p / BLOCK for t, p in s.priors.items()},
        )
        coarse = _search(_coarsen(src, BLOCK), _coarsen(tgt, BLOCK), coarse_s, var)
        lo, hi = _band_from_path(coarse, BLOCK, n, m, s.margin)
    widest = max(max(a, b) for a, b in s.types)
    return _dp(
        _Table(src, widest),
        _Table(tgt, widest),
        lo,
        hi,
        s,
        var,
    )


def _align_piece(
    src: SideFeatures,
    tgt: SideFeatures,
    s: AlignSettings,
    var: float,
    guide: list[tuple[int, int, int, int, float]] | None,
) -> list[tuple[int, int, int, int, float]]:
    n, m = len(src.lengths), len(tgt.lengths)
    if n == 0 or m == 0:
        return [(i, 1, 0, 0, 0.0) for i in range(n)] + [(0, 0, j, 1, 0.0) for j in range(m)]
    return _search(src, tgt, s, var, guide)


def _anchor_pieces(
    src_groups: Sequence[object], tgt_groups: Sequence[object]
) -> list[tuple[int, int, int, int]]:
    """Cut both sides at group keys found exactly once, in one run, on each side, in order.

    Returns pieces (src_start, src_end, tgt_start, tgt_end) that cover both sides in order.
    """

    def runs(groups: Sequence[object]) -> dict[object, tuple[int, int]]:
        found: dict[object, tuple[int, int]] = {}
        bad: set[object] = set()
        start = 0
        for i in range(1, len(groups) + 1):
            if i == len(groups) or groups[i] != groups[start]:
                key = groups[start]
                if key in found:
                    bad.add(key)
                found[key] = (start, i)
                start = i
        return {k: v for k, v in found.items() if k not in bad and k not in (None, "")}

    sruns, truns = runs(src_groups), runs(tgt_groups)
    pairs = sorted((sruns[k], truns[k]) for k in sruns.keys() & truns.keys())
    # longest chain increasing on both sides (patience sorting over the target starts)
    tails: list[int] = []
    prev: list[int] = [-1] * len(pairs)
    for idx, (_, (t0, _t1)) in enumerate(pairs):
        lo_, hi_ = 0, len(tails)
        while lo_ < hi_:
            mid = (lo_ + hi_) // 2
            if pairs[tails[mid]][1][0] < t0:
                lo_ = mid + 1
            else:
                hi_ = mid
        prev[idx] = tails[lo_ - 1] if lo_ else -1
        if lo_ == len(tails):
            tails.append(idx)
        else:
            tails[lo_] = idx
    chain: list[int] = []
    k = tails[-1] if tails else -1
    while k >= 0:
        chain.append(k)
        k = prev[k]
    pieces: list[tuple[int, int, int, int]] = []
    s_at, t_at = 0, 0
    for idx in reversed(chain):
        (s0, s1), (t0, t1) = pairs[idx]
        if s0 > s_at or t0 > t_at:
            pieces.append((s_at, s0, t_at, t0))
        pieces.append((s0, s1, t0, t1))
        s_at, t_at = s1, t1
    if s_at < len(src_groups) or t_at < len(tgt_groups):
        pieces.append((s_at, len(src_groups), t_at, len(tgt_groups)))
    return pieces


def _slice(side: SideFeatures, a: int, b: int) -> SideFeatures:
    vectors = None if side.vectors is None else side.vectors[a:b]
    return SideFeatures(side.lengths[a:b], side.masks[a:b], vectors)


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    src_lang: str = "zh",
    tgt_lang: str = "en",
    mt: Sequence[str] | None = None,
    src_groups: Sequence[object] | None = None,
    tgt_groups: Sequence[object] | None = None,
    settings: AlignSettings | None = None,
    embedder: Embedder | None = None,
) -> list[Bead]:
    """Align two lists of sentences; see the module docstring.

    ``embedder`` (or ``settings.embeddings``, a sentence-transformers model id) turns on the
    optional embeddings similarity.

    Raises:
        ValueError: ``mt`` or a groups list does not have one entry per sentence.
        UserError: the embeddings model cannot be loaded.
    """
    s = settings or AlignSettings()
    if embedder is None and s.embeddings:
        from unmt.pipeline.align_embed import load_embedder

        embedder = load_embedder(s.embeddings)
    if mt is not None and len(mt) != len(src):
        raise ValueError(f"mt has {len(mt)} lines but the source has {len(src)}")
    if src_groups is not None and len(src_groups) != len(src):
        raise ValueError("src_groups must have one key per source sentence")
    if tgt_groups is not None and len(tgt_groups) != len(tgt):
        raise ValueError("tgt_groups must have one key per target sentence")
    langs = {"src_lang": src_lang, "tgt_lang": tgt_lang}
    ssets, tsets = feature_sets(src, tgt, mt=mt, settings=s.sim, **langs)
    if src_groups is not None and tgt_groups is not None:
        pieces = _anchor_pieces(src_groups, tgt_groups)
    else:
        pieces = [(0, len(src), 0, len(tgt))]
    vectors = (None, None)
    if embedder is not None and src and tgt:
        vectors = (normalised_rows(embedder(list(src))), normalised_rows(embedder(list(tgt))))

    def packed() -> tuple[SideFeatures, SideFeatures]:
        sf, tf = pack_features(src, tgt, ssets, tsets, settings=s.sim, **langs)
        return dataclasses.replace(sf, vectors=vectors[0]), dataclasses.replace(
            tf, vectors=vectors[1]
        )

    beads = _align_pieces(
        packed(),
        pieces,
        s,
        _variance(src_lang, tgt_lang),
    )
    if (
        s.learn
        and {src_lang, tgt_lang} == {"zh", "en"}
        and min(len(src), len(tgt)) >= s.learn_min_lines
    ):
        extra_s, extra_t = learn_pairs(
            src, tgt, [(b.src, b.tgt) for b in beads], src_lang, tgt_lang
        )
        for x, y in zip(ssets, extra_s, strict=True):
            x |= y
        for x, y in zip(tsets, extra_t, strict=True):
            x |= y
        s2 = dataclasses.replace(s, priors=_fitted_priors(beads, s))
        beads = _align_pieces(
            packed(),
            pieces,
            s2,
            _variance(src_lang, tgt_lang),
            beads,
        )
    return beads


def _fitted_priors(beads: Sequence[Bead], s: AlignSettings) -> dict[tuple[int, int], float]:
    """Bead-type priors -log(P(type) / P(1-1)) estimated from a first alignment."""
    counts: dict[tuple[int, int], int] = {}
    for b in beads:
        t = (len(b.src), len(b.tgt))
        counts[t] = counts.get(t, 0) + 1
    n11 = counts.get((1, 1), 0) + 1.0
    priors = {}
    for t in s.types:
        if t != (1, 1) and 0 not in t:
            fitted = -math.log((counts.get(t, 0) + 1.0) / n11)
            priors[t] = min(max(fitted, 0.0), 2 * s.priors.get(t, 1.0))
    return priors


def _align_pieces(
    features: tuple[SideFeatures, SideFeatures],
    pieces: list[tuple[int, int, int, int]],
    s: AlignSettings,
    var: float,
    guide: Sequence[Bead] | None = None,
) -> list[Bead]:
    sf, tf = features
    # rescale the target lengths by the document's own length ratio (when long enough): over
    # the whole text, or over the sentences a first pass aligned (robust to large insertions)
    total_s, total_t = sum(sf.lengths), sum(tf.lengths)
    if guide is not None:
        total_s = sum(sf.lengths[i] for b in guide if b.src and b.tgt for i in b.src)
        total_t = sum(tf.lengths[j] for b in guide if b.src and b.tgt for j in b.tgt)
    if total_s >= 200 and total_t >= 200:
        ratio = min(1.25, max(0.8, total_t / total_s))
        tf = SideFeatures(tuple(x / ratio for x in tf.lengths), tf.masks, tf.vectors)
    guide_path = []
    at_s = at_t = 0
    for bead in guide or ():
        guide_path.append((at_s, len(bead.src), at_t, len(bead.tgt)))
        at_s, at_t = at_s + len(bead.src), at_t + len(bead.tgt)
    beads: list[Bead] = []
    for s0, s1, t0, t1 in pieces:
        local = None
        if guide is not None:
            local = [
                (i - s0, a, j - t0, b, 0.0)
                for i, a, j, b in guide_path
                if s0 <= i <= s1 and t0 <= j <= t1 and (a == 0 or i < s1) and (b == 0 or j < t1)
            ]
        pf = _align_piece(_slice(sf, s0, s1), _slice(tf, t0, t1), s, var, local)
        for i, a, j, b, dice in pf:
            src_ids = tuple(range(s0 + i, s0 + i + a))
            tgt_ids = tuple(range(t0 + j, t0 + j + b))
            beads.append(Bead(src_ids, tgt_ids, round(dice, 4)))
    return beads


def segment_group(seg: Segment) -> str | None:
    """The anchor key of a segment: its block kind and label (``paragraph:8``), if labelled."""
    return f"{seg.block}:{seg.label}" if seg.label else None


def align_segments(
    src: Sequence[Segment],
    tgt: Sequence[Segment],
    mt: Sequence[str] | None = None,
    *,
    src_lang: str = "zh",
    tgt_lang: str = "en",
    settings: AlignSettings | None = None,
    embedder: Embedder | None = None,
) -> list[Bead]:
    """Align segment records, anchoring on numbered paragraphs and labelled headings."""
    return align_sentences(
        [seg.text for seg in src],
        [seg.text for seg in tgt],
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        mt=mt,
        src_groups=[segment_group(seg) for seg in src],
        tgt_groups=[segment_group(seg) for seg in tgt],
        settings=settings,
        embedder=embedder,
    )
