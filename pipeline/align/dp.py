"""The dynamic programme of the sentence aligner: bead costs, banded search, coarse to fine.

:func:`search` finds the cheapest sequence of beads for two sides given as
:class:`~unmt.pipeline.align.sim.SideFeatures`. A bead costs a Gale-Church style length term
(Gaussian: delta**2 / 2, delta the length difference over its expected deviation), plus
``1 - Dice`` of its feature sets weighted by the number of sentences it covers, plus a prior per
bead type (with embeddings, ``1 - cosine`` of the span vectors; with a bridge, MT or lexical,
its centred distance, :func:`bridge_size` times); a sentence left out costs
:attr:`AlignSettings.skip`. Each path step carries its bead's cost, from which a second pass
fits its skip cost. The search is vecalign's: the document is coarsened (blocks of
:data:`BLOCK` sentences) until the full table is small, aligned there, and the path is projected
back as a band of :attr:`AlignSettings.margin` sentences, so time and memory grow linearly; a
``guide`` path (a first pass) gives the band directly. In the band, every term of a bead's cost
but the feature overlap is computed for a whole row at once (numpy), and the overlap only where
it could make the bead win. Ties break by the fixed order of bead types, so the result is
deterministic.
"""

from __future__ import annotations

import dataclasses
import logging
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from unmt.pipeline.align.bridge import mean_distances, span_norms, span_vector, window_sums
from unmt.pipeline.align.embed import normalised_rows, span_vectors
from unmt.pipeline.align.sim import SideFeatures, SimSettings

log = logging.getLogger(__name__)

#: a path step: (source start, source count, target start, target count, Dice of the bead,
#: cost of the bead)
Step = tuple[int, int, int, int, float, float]

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
        no_features: the Dice value assumed when either side has no feature (no evidence).
        margin: half-width, in sentences, of the band around the coarse path.
        guide_margin: half-width of the band around the first pass's path in the second.
        w_emb: weight of ``1 - cosine`` per sentence covered (only with embeddings).
        bridge: weight of the MT bridge per bead (only with MT; 0: off): the bead's
            normalised distance minus ``bridge_center`` (:mod:`unmt.pipeline.align.bridge`),
            :func:`bridge_size` times.
        bridge_center: the normalised distance that costs nothing (1 is "as far as unrelated
            sentences"; closer beads are rewarded).
        bridge_dims: dimensions of the MT bridge's hashed n-gram vectors.
        bridge_samples: sentences of the other side each span's distance is normalised by.
        bridge_size: the exponent ``p`` of :func:`bridge_size`, how the bridge's weight grows
            with a bead's size.
        lexical: weight of the lexical bridge, used in place of the MT bridge when there is
            no MT (0: off; :func:`unmt.pipeline.align.bridge.lexical_vectors`).
        lexical_mix: with MT, the share of the lexical bridge in the bridge's rows (0: the
            MT n-grams alone; :func:`unmt.pipeline.align.bridge.mixed_rows`).
        lexical_dims: dimensions of the lexical bridge's hashed vectors.
        bridge_types: bead types searched only with a bridge (MT or lexical): a bead's pooled
            distance tells a true 2-2 from two 1-1 beads; without a bridge their effect on
            the shared sets was within +-0.4 points of F1 and mixed.
        fit_skip: in the second pass, the cost of leaving a sentence out is raised to this
            quantile of the first pass's 1-1 bead costs (never lowered below ``skip``), so that
            a document whose true beads cost more (a free translation) does not drop its
            sentences instead (None: off). Only with a bridge, unless ``fit_skip_always``.
        fit_skip_always: fit the skip cost without a bridge too.
        embeddings: a sentence-transformers model id or path: turns embeddings on.
        learn: realign once with word pairs learned from the first alignment (documents of
            at least ``learn_min_lines`` sentences on both sides).
        fit_priors: in that second pass, use bead-type priors estimated from the first.
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
            (2, 2): 4.0,
        }
    )
    bridge_types: tuple[tuple[int, int], ...] = ((2, 2),)
    skip: float = 3.0
    w_len: float = 0.45
    w_sim: float = 5.0
    no_features: float = 0.45
    margin: int = 12
    guide_margin: int = 8
    learn: bool = True
    fit_priors: bool = True
    embeddings: str | None = None
    w_emb: float = 5.0
    learn_min_lines: int = 100
    bridge: float = 6.0
    bridge_center: float = 0.9
    bridge_dims: int = 1024
    bridge_samples: int = 20
    bridge_size: float = 1 / 3
    lexical: float = 2.0
    lexical_mix: float = 0.3
    lexical_dims: int = 256
    fit_skip: float | None = 0.95
    fit_skip_always: bool = False
    sim: SimSettings = field(default_factory=SimSettings)


class _Table:
    """Span sums (lengths, feature unions, embeddings) of one side, for spans of 1..4 sentences."""

    def __init__(self, side: SideFeatures, widest: int) -> None:
        import numpy as np

        lengths = side.lengths
        n = len(lengths)
        self.n = n
        self.vec: list[Any] | None = None
        if side.vectors is not None:
            self.vec = [None] + [span_vectors(side.vectors, k) for k in range(1, widest + 1)]
        # the bridge's rows, the reciprocal length of each span's sum per width, and each
        # span's mean distance to the other side (set by _pair_bridge)
        self.brows: Any = side.bridge
        self.binv: list[Any] | None = None
        self.bnorm: list[Any] | None = None
        if side.bridge is not None:
            self.binv = span_norms(side.bridge, widest)
        # per width k (index 0 unused): each span's length and feature count as arrays (the
        # search takes them band-wide), its feature unions as Python int bit sets
        self.length: list[Any] = [np.zeros(n + 1)]
        self.count: list[Any] = [np.zeros(n + 1)]
        self.mask: list[list[int]] = [[0] * (n + 1)]
        self.reach: list[list[int]] = [[0] * (n + 1)]
        reach = side.reach or side.masks
        each = np.asarray(lengths, dtype=np.float64)
        for k in range(1, widest + 1):
            self.length.append(window_sums(each, k))
            self.mask.append(_span_unions(side.masks, k))
            self.reach.append(_span_unions(reach, k))
            self.count.append(np.array([m.bit_count() for m in self.mask[k]], dtype=np.float64))


def _bridge_costs(
    src: _Table, tgt: _Table, a: int, i: int, b: int, first: int, dots: Any, s: AlignSettings
) -> Any:
    """The bridge's cost of beads (a source span at ``i``) x (target spans from ``first``),
    given the cosines ``dots`` of their sums."""
    assert src.bnorm is not None and tgt.bnorm is not None
    dist = (1 - dots) / (0.5 * (src.bnorm[a][i] + tgt.bnorm[b][first : first + len(dots)]))
    return s.bridge * bridge_size(a, b, s) * (dist - s.bridge_center)


def _bridge_rows(src: _Table, tgt: _Table, i: int, lo: int, hi: int) -> Any:
    """For the source spans ending at row ``i``, a function (a, b, first, last) -> the cosines
    of the span of ``a`` source sentences with the target spans of ``b`` starting at
    ``first`` .. ``last``: one product with the target rows ``lo - widest`` .. ``hi`` per
    width ``a``."""
    sinv, tinv = src.binv, tgt.binv
    assert sinv is not None and tinv is not None
    widest = len(tinv) - 1  # span norms are kept for widths 1..widest
    start = max(0, lo - widest)
    products: dict[int, Any] = {}

    def cosines(a: int, b: int, first: int, last: int) -> Any:
        y = products.get(a)
        if y is None:
            vector = span_vector(src.brows, sinv[a], i - a, a)
            y = products[a] = tgt.brows[start : min(tgt.n, hi)] @ vector
        dots = window_sums(y[first - start : last + b - start], b)
        return dots * tinv[b][first : last + 1]

    return cosines


def bridge_size(a: int, b: int, s: AlignSettings) -> float:
    """How many times the bridge's centred distance counts for an a-b bead: ``2 (a b)**p``.

    A bead's bridge evidence is one cosine of its pooled spans, not one per sentence: weighing
    it by the sentences covered (``a + b``) made merges of good beads cheaper than the beads
    apart (with a skip cost of 4, searching 2-2, 2-3 and 3-2 beads took MAC-Dev's F1 with MT
    from 0.80 to 0.55). ``p`` (:attr:`AlignSettings.bridge_size`) keeps some of the growth, as
    a larger bead's pooled distance is the surer.
    """
    return 2.0 * (a * b) ** s.bridge_size


def bead_types(s: AlignSettings, bridged: bool) -> tuple[tuple[int, int], ...]:
    """The bead types searched: :attr:`AlignSettings.types`, plus ``bridge_types`` with a
    bridge."""
    if not bridged:
        return s.types
    return s.types + tuple(t for t in s.bridge_types if t not in s.types)


def _pair_bridge(src: _Table, tgt: _Table, samples: int) -> None:
    """Each bridge span's mean distance to single sentences spread over the other side."""
    if src.binv is None or tgt.binv is None:
        return
    src.bnorm = mean_distances(src.brows, src.binv, tgt.brows, samples)
    tgt.bnorm = mean_distances(tgt.brows, tgt.binv, src.brows, samples)


def _dice(src_mask: int, src_reach: int, tgt_mask: int, tgt_reach: int) -> float:
    """The similarity of two sides' feature bit sets (see :mod:`unmt.pipeline.align.sim`); 0
    without features."""
    total = src_mask.bit_count() + tgt_mask.bit_count()
    if not total:
        return 0.0
    return ((src_mask & tgt_reach).bit_count() + (tgt_mask & src_reach).bit_count()) / total


def _coverage(src: _Table, a: int, i: int, tgt: _Table, b: int, j: int) -> float:
    """Similarity of a bead found by the search."""
    return _dice(src.mask[a][i], src.reach[a][i], tgt.mask[b][j], tgt.reach[b][j])


def bead_similarity(
    src: SideFeatures, tgt: SideFeatures, src_ids: Sequence[int], tgt_ids: Sequence[int]
) -> float:
    """The similarity of one bead made by other means, as :func:`search` scores its beads."""
    if not src_ids or not tgt_ids:
        return 0.0
    unions = []
    for side, ids in ((src, src_ids), (tgt, tgt_ids)):
        mask = reach = 0
        for k in ids:
            mask |= side.masks[k]
            reach |= (side.reach or side.masks)[k]
        unions += [mask, reach]
    return _dice(*unions)


def _span_unions(masks: Sequence[int], k: int) -> list[int]:
    out = []
    for i in range(len(masks) - k + 1):
        m = 0
        for x in masks[i : i + k]:
            m |= x
        out.append(m)
    return out


def _dp(
    src: _Table, tgt: _Table, lo: list[int], hi: list[int], s: AlignSettings, var: float
) -> list[Step]:
    """Best path inside the band; returns beads as (i, a, j, b, dice, cost)."""
    import numpy as np

    n, m = src.n, tgt.n
    types = [t for t in s.types if t[0] <= n and t[1] <= m]
    prior = [s.priors.get(t, 0.0) for t in types]
    # Gaussian length cost delta**2 / 2 with delta = (lt - ls) / sqrt(var * (ls + lt) / 2)
    w_len, w_sim, no_feat = s.w_len / var, s.w_sim / 2, s.no_features
    w_emb = s.w_emb / 2
    # finished rows are kept as typed arrays (8 + 1 bytes a cell instead of about 40)
    cost: list[Any] = [None] * (n + 1)
    back: list[Any] = [None] * (n + 1)
    for i in range(n + 1):
        lo_i = lo[i]
        row = [_INF] * (hi[i] - lo_i + 1)
        brow = [-1] * len(row)
        cost[i] = row  # 0-1 beads read the row being filled
        # everything that depends only on the row and the bead type, hoisted out of the j loop
        # and computed for the whole band at once: per target start pj in first..last, the
        # bead's cost but for its overlap, and the weight of its overlap (0: no features)
        moves: list[tuple[Any, ...]] = []
        bridged = src.bnorm is not None and tgt.bnorm is not None
        cosines = _bridge_rows(src, tgt, i, lo_i, hi[i]) if bridged and i else None
        for t, (a, b) in enumerate(types):
            pi = i - a
            if pi < 0:
                continue
            first = max(lo_i - b, lo[pi], 0)
            last = min(hi[i] - b, hi[pi], tgt.n - b)
            if last < first:
                continue
            if a == 0 or b == 0:
                moves.append((t, b, cost[pi], lo[pi], first, last, [s.skip * (a + b)], None,
                              0.0, None, 0, None, None))  # fmt: skip
                continue
            ws = w_sim * (a + b)
            ls, sc = float(src.length[a][pi]), float(src.count[a][pi])
            lt = tgt.length[b][first : last + 1]
            base = prior[t] + w_len * (lt - ls) ** 2 / np.maximum(lt + ls, 1e-12)
            weight = np.zeros(len(lt))
            if sc:
                tc = tgt.count[b][first : last + 1]
                weight = np.where(tc > 0, ws / (sc + tc), 0.0)
            base = base + np.where(weight > 0, ws, ws * (1 - no_feat))
            if src.vec is not None and tgt.vec is not None:
                base = base + w_emb * (a + b) * (1 - tgt.vec[b][first : last + 1] @ src.vec[a][pi])
            if cosines is not None:
                dots = cosines(a, b, first, last)
                base = base + _bridge_costs(src, tgt, a, pi, b, first, dots, s)
            moves.append((t, b, cost[pi], lo[pi], first, last, base.tolist(), weight.tolist(),
                          ws + 1e-9, src.mask[a][pi], src.reach[a][pi], tgt.mask[b],
                          tgt.reach[b]))  # fmt: skip
        if i == 0:
            row[0] = 0.0
        # bead type by bead type (in their fixed order, so that ties keep the earlier type),
        # every cell it reaches; 0-1 beads read the row being filled, so they go last
        skip_in_row = None
        for t, b, prow, plo, first, last, base, weight, most, sm, sr, tms, trs in moves:
            if prow is row:
                skip_in_row = (t, base[0])
                continue
            at = first + b - lo_i  # the cell of this row the first target start reaches
            if sm is None:
                fixed = base[0]
                for c in prow[first - plo : last - plo + 1]:
                    c += fixed
                    if c < row[at]:
                        row[at], brow[at] = c, t
                    at += 1
                continue
            for c, k, w, tm, tr in zip(
                prow[first - plo : last - plo + 1],
                base,
                weight,
                tms[first : last + 1],
                trs[first : last + 1],
                strict=True,
            ):
                if c != _INF:
                    c += k
                    # the overlap lowers the cost by at most `most` (w_sim (a + b) / 2, Dice 1):
                    # compute it only where that could win
                    if w and c - most < row[at]:
                        c -= w * ((sm & tr).bit_count() + (tm & sr).bit_count())
                    if c < row[at]:
                        row[at], brow[at] = c, t
                at += 1
        if skip_in_row is not None:
            t, fixed = skip_in_row
            for at in range(1, len(row)):
                c = row[at - 1] + fixed
                if c < row[at] or (c == row[at] and t < brow[at]):
                    row[at], brow[at] = c, t
        cost[i], back[i] = array("d", row), array("b", brow)
    beads: list[Step] = []
    i, j = n, m
    while i > 0 or j > 0:
        t = back[i][j - lo[i]]
        if t < 0:
            raise RuntimeError(f"alignment band has no path at ({i}, {j})")
        a, b = types[t]
        end = cost[i][j - lo[i]]
        i, j = i - a, j - b
        dice = 0.0
        if a and b:
            dice = _coverage(src, a, i, tgt, b, j)
        beads.append((i, a, j, b, dice, end - cost[i][j - lo[i]]))
    beads.reverse()
    return beads


def _band_from_path(
    path: list[Step], k: int, n: int, m: int, margin: int
) -> tuple[list[int], list[int]]:
    lo, hi = [m] * (n + 1), [0] * (n + 1)
    for i, a, j, b, *_ in path:
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
    lengths, masks, reach = [], [], []
    for start in range(0, len(side.lengths), k):
        lengths.append(sum(side.lengths[start : start + k]))
        m = r = 0
        for x in side.masks[start : start + k]:
            m |= x
        for x in (side.reach or side.masks)[start : start + k]:
            r |= x
        masks.append(m)
        reach.append(r)

    def blocks(rows: Any) -> Any:
        if rows is None:
            return None
        import numpy as np

        starts = list(range(0, len(side.lengths), k))
        return normalised_rows(np.add.reduceat(rows, starts, axis=0))

    return SideFeatures(
        tuple(lengths), tuple(masks), blocks(side.vectors), tuple(reach), blocks(side.bridge)
    )


def _search(
    src: SideFeatures,
    tgt: SideFeatures,
    s: AlignSettings,
    var: float,
    guide: list[Step] | None = None,
) -> list[Step]:
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
    src_table, tgt_table = _Table(src, widest), _Table(tgt, widest)
    if s.bridge:
        _pair_bridge(src_table, tgt_table, s.bridge_samples)
    return _dp(src_table, tgt_table, lo, hi, s, var)


def search(
    src: SideFeatures,
    tgt: SideFeatures,
    s: AlignSettings,
    var: float,
    guide: list[Step] | None,
) -> list[Step]:
    """The best path for two sides (1-0/0-1 steps only when one side is empty)."""
    n, m = len(src.lengths), len(tgt.lengths)
    if n == 0 or m == 0:
        skips = [(i, 1, 0, 0, 0.0, s.skip) for i in range(n)]
        return skips + [(0, 0, j, 1, 0.0, s.skip) for j in range(m)]
    bridged = bool(s.bridge) and src.bridge is not None and tgt.bridge is not None
    return _search(src, tgt, dataclasses.replace(s, types=bead_types(s, bridged)), var, guide)
