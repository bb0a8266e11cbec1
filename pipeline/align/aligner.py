"""Sentence alignment: a banded dynamic programme over beads, searched coarse to fine.

Public API (called by the run stage and by ``unmt align``)::

    align_sentences(src, tgt, *, src_lang="zh", tgt_lang="en", mt=None,
                    src_groups=None, tgt_groups=None, settings=None,
                    embedder=None) -> list[Bead]
    align_segments(src_segments, tgt_segments, mt=None, *, src_lang="zh",
                   tgt_lang="en", settings=None, embedder=None) -> list[Bead]

Bead text formats: :mod:`unmt.pipeline.align.beadio`; scoring: :mod:`unmt.eval.align_score`.

Both return beads in order, 0-based indices, every sentence of both sides in exactly one bead
(1-0 and 0-1 beads mark sentences left unaligned). ``mt`` is the source translated into the
target language, line by line (the MT bridge). ``src_groups``/``tgt_groups`` give each sentence
an anchor key (for UN documents: the paragraph number or heading label); keys found exactly once
on each side, in the same order, become hard anchors and sentences align inside them.

Method (:mod:`unmt.pipeline.align.dp` has the dynamic programme): beads 1-1, 1-0, 0-1, 1-2,
2-1, 1-3, 3-1, 1-4, 4-1 (and 2-2 with a bridge), each scored by length, the similarity
sources of :mod:`unmt.pipeline.align.sim`, a bridge (:mod:`unmt.pipeline.align.bridge`: the MT's
character n-grams mixed with the lexical rows when there is MT, the lexical rows alone when
there is not) and a prior, searched coarse to fine in a band, so time and memory grow linearly.
Long zh/en documents (:attr:`AlignSettings.learn`) are aligned twice: the second pass adds word
pairs learned from the first alignment (:mod:`unmt.pipeline.align.learn`; the lexical rows are
made again with them), bead-type priors estimated from it and (with a bridge) a skip cost fitted
to its 1-1 bead costs, and searches a band around the first path.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections.abc import Sequence
from typing import Any

from unmt.pipeline.align.bridge import bridge_vectors, lexical_vectors, mixed_rows
from unmt.pipeline.align.dp import AlignSettings, bead_types, search
from unmt.pipeline.align.embed import Embedder, normalised_rows
from unmt.pipeline.align.learn import learn_pairs
from unmt.pipeline.align.sim import (
    SideFeatures,
    add_symmetric_features,
    feature_sets,
    pack_features,
)
from unmt.pipeline.align.sim import length_variance as _variance
from unmt.records import Bead, Segment
from unmt.signature import Signature

__all__ = [
    "ALIGNER_VERSION",
    "AlignSettings",
    "align_segments",
    "align_sentences",
    "alignment_signature",
    "score_beads",
    "segment_group",
]

#: goes into alignment signatures; bump it whenever the aligner's output can change
ALIGNER_VERSION = "align-1.3"

log = logging.getLogger(__name__)


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
    bridge = None if side.bridge is None else side.bridge[a:b]
    return SideFeatures(side.lengths[a:b], side.masks[a:b], vectors, side.reach[a:b], bridge)


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
        from unmt.pipeline.align.embed import load_embedder

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
    vectors: tuple[Any, Any] = (None, None)
    if embedder is not None and src and tgt:
        vectors = (normalised_rows(embedder(list(src))), normalised_rows(embedder(list(tgt))))
    # the bridge: the MT's n-grams (mixed with the lexical rows), or without MT the lexical
    # rows alone; they are made again from the second pass's features
    weight = _bridge_weight(s, mt is not None)
    bridged = bool(weight) and bool(src) and bool(tgt)
    ngrams: tuple[Any, Any] = (None, None)
    if bridged and mt is not None:
        ngrams = bridge_vectors(mt, tgt, s.bridge_dims)
    # the search reads one bridge weight, ``bridge``, whichever rows it is given
    s = dataclasses.replace(s, bridge=weight if bridged else 0.0)

    def packed() -> tuple[SideFeatures, SideFeatures]:
        sf, tf = pack_features(src, tgt, ssets, tsets, settings=s.sim, **langs)
        rows = ngrams
        if bridged and (mt is None or s.lexical_mix):
            lexical = lexical_vectors(
                _lexical_bits(sf, src_lang, tgt_lang),
                _lexical_bits(tf, tgt_lang, src_lang),
                s.lexical_dims,
            )
            rows = lexical
            if mt is not None:
                rows = (
                    mixed_rows(ngrams[0], lexical[0], s.lexical_mix),
                    mixed_rows(ngrams[1], lexical[1], s.lexical_mix),
                )
        return (
            dataclasses.replace(sf, vectors=vectors[0], bridge=rows[0]),
            dataclasses.replace(tf, vectors=vectors[1], bridge=rows[1]),
        )

    beads, costs = _align_pieces(
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
        share = s.sim.max_df if min(len(src), len(tgt)) >= s.sim.min_df_lines else None
        extra_s, extra_t = learn_pairs(
            src, tgt, [(b.src, b.tgt) for b in beads], src_lang, tgt_lang, max_share=share
        )
        add_symmetric_features(ssets, extra_s)
        add_symmetric_features(tsets, extra_t)
        s2 = s
        if s.fit_priors:
            s2 = dataclasses.replace(s2, priors=_fitted_priors(beads, bead_types(s, bridged), s))
        if bridged or s.fit_skip_always:
            s2 = dataclasses.replace(s2, skip=_fitted_skip(beads, costs, s))
        beads, _ = _align_pieces(
            packed(),
            pieces,
            s2,
            _variance(src_lang, tgt_lang),
            beads,
        )
    return beads


def score_beads(
    src: Sequence[str],
    tgt: Sequence[str],
    beads: Sequence[Bead],
    *,
    src_lang: str = "zh",
    tgt_lang: str = "en",
    mt: Sequence[str] | None = None,
    settings: AlignSettings | None = None,
) -> list[Bead]:
    """``beads`` made by other means (line-aligned files) with the score the aligner would give
    each: the Dice coverage of its two sides' features, 0 for a one-sided bead."""
    from unmt.pipeline.align.dp import bead_similarity

    s = settings or AlignSettings()
    langs = {"src_lang": src_lang, "tgt_lang": tgt_lang}
    ssets, tsets = feature_sets(src, tgt, mt=mt, settings=s.sim, **langs)
    sf, tf = pack_features(src, tgt, ssets, tsets, settings=s.sim, **langs)
    return [
        dataclasses.replace(b, score=round(bead_similarity(sf, tf, b.src, b.tgt), 4)) for b in beads
    ]


def _lexical_bits(side: SideFeatures, lang: str, other: str) -> tuple[int, ...]:
    """The features of one side in the space both sides share: for the Chinese side of a
    zh/en pair, the English words it can reach; for any other side, its own features."""
    if lang == "zh" and other == "en" and side.reach:
        return side.reach
    return side.masks


def _fitted_priors(
    beads: Sequence[Bead], types: Sequence[tuple[int, int]], s: AlignSettings
) -> dict[tuple[int, int], float]:
    """Bead-type priors -log(P(type) / P(1-1)) estimated from a first alignment.

    An estimate may lower a default prior freely but raise it by at most 0.5: the first pass,
    made with the defaults, under-counts the rarer bead types, and a full raise would feed that
    bias back (measured: a long UN bitext lost 1.5 points of F1 without the cap).
    """
    counts: dict[tuple[int, int], int] = {}
    for b in beads:
        t = (len(b.src), len(b.tgt))
        counts[t] = counts.get(t, 0) + 1
    n11 = counts.get((1, 1), 0) + 1.0
    priors = {}
    for t in types:
        if t != (1, 1) and 0 not in t:
            fitted = -math.log((counts.get(t, 0) + 1.0) / n11)
            default = s.priors.get(t, 1.0)
            priors[t] = min(max(fitted, 0.0), default + 0.5)
    log.debug("fitted bead-type priors: %s", priors)
    return priors


def _fitted_skip(beads: Sequence[Bead], costs: Sequence[float], s: AlignSettings) -> float:
    """The cost of a sentence left out for a second pass: the :attr:`AlignSettings.fit_skip`
    quantile of the first pass's 1-1 bead costs, at least :attr:`AlignSettings.skip`.

    Vecalign sets its deletion penalty from the distribution of a document's alignment costs;
    here the first pass's own 1-1 beads give it, so that a sentence is left out only where
    aligning it would cost more than nearly all of the document's 1-1 beads do. Fewer than 20
    such beads: the default.
    """
    ones = sorted(c for b, c in zip(beads, costs, strict=True) if len(b.src) == len(b.tgt) == 1)
    if s.fit_skip is None or len(ones) < 20:
        return s.skip
    fitted = max(s.skip, ones[min(len(ones) - 1, int(s.fit_skip * len(ones)))])
    log.debug("fitted skip cost: %.3f", fitted)
    return fitted


def _align_pieces(
    features: tuple[SideFeatures, SideFeatures],
    pieces: list[tuple[int, int, int, int]],
    s: AlignSettings,
    var: float,
    guide: Sequence[Bead] | None = None,
) -> tuple[list[Bead], list[float]]:
    sf, tf = features
    # rescale the target lengths by the document's own length ratio (when long enough): over
    # the whole text, or over the sentences a first pass aligned (robust to large insertions)
    total_s, total_t = sum(sf.lengths), sum(tf.lengths)
    if guide is not None:
        total_s = sum(sf.lengths[i] for b in guide if b.src and b.tgt for i in b.src)
        total_t = sum(tf.lengths[j] for b in guide if b.src and b.tgt for j in b.tgt)
    if total_s >= 200 and total_t >= 200:
        ratio = min(1.25, max(0.8, total_t / total_s))
        tf = dataclasses.replace(tf, lengths=tuple(x / ratio for x in tf.lengths))
    guide_path = []
    at_s = at_t = 0
    for bead in guide or ():
        guide_path.append((at_s, len(bead.src), at_t, len(bead.tgt)))
        at_s, at_t = at_s + len(bead.src), at_t + len(bead.tgt)
    beads: list[Bead] = []
    costs: list[float] = []
    for s0, s1, t0, t1 in pieces:
        local = None
        if guide is not None:
            local = [
                (i - s0, a, j - t0, b, 0.0, 0.0)
                for i, a, j, b in guide_path
                if s0 <= i <= s1 and t0 <= j <= t1 and (a == 0 or i < s1) and (b == 0 or j < t1)
            ]
        pf = search(_slice(sf, s0, s1), _slice(tf, t0, t1), s, var, local)
        for i, a, j, b, dice, cost in pf:
            src_ids = tuple(range(s0 + i, s0 + i + a))
            tgt_ids = tuple(range(t0 + j, t0 + j + b))
            beads.append(Bead(src_ids, tgt_ids, round(dice, 4)))
            costs.append(cost)
    return beads, costs


_ZH_DIGITS = {ch: k for k, ch in enumerate("零一二三四五六七八九")}
_ROMAN = re.compile(r"(X{0,3})(IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}


def _bridge_weight(s: AlignSettings, mt: bool) -> float:
    """The weight of the bridge the search uses: the MT bridge's with MT, else the lexical."""
    return s.bridge if mt else s.lexical


def _bridge_label(s: AlignSettings, mt: bool) -> str:
    if not mt:
        return f"lexical:{s.lexical:g}"
    if s.lexical_mix:
        return f"{s.bridge:g}+lexical:{s.lexical_mix:g}"
    return f"{s.bridge:g}"


def _zh_number(text: str) -> int | None:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 九十九 -> 99; None for anything else."""
    if not text or any(ch not in _ZH_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _ZH_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[ones] if ones else 0)


def _roman_number(text: str) -> int | None:
    if not text or _ROMAN.fullmatch(text) is None:
        return None
    values = [_ROMAN_VALUES[ch] for ch in text]
    return sum(-v if k + 1 < len(values) and v < values[k + 1] else v for k, v in enumerate(values))


def segment_group(seg: Segment) -> str | None:
    """The anchor key of a segment: its block kind and normalised label, if it has a label.

    Paragraph numbers are kept (``paragraph:8``); heading numbers written as Chinese numerals
    (``一.``) or Roman numerals (``I.``) both become ``heading:#1``, so the Chinese and English
    versions of a document share keys; letters keep their case (``A.`` vs ``(a)``).
    """
    core = seg.label.strip().strip("()（）.．、。 ")
    if not core:
        return None
    number = _zh_number(core)
    if number is None and seg.block == "heading":
        number = _roman_number(core)
    return f"{seg.block}:#{number}" if number is not None else f"{seg.block}:{core}"


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


def alignment_signature(settings: AlignSettings | None = None, *, mt: bool = False) -> Signature:
    """A sacrebleu-style signature of every setting that changes alignments.

    Example: ``align-1.3|sources:anchors+dict+surface|lexicon:cc-cedict:35589+unglossary:1277|
    learn:yes|mt:yes|bridge:6+lexical:0.3|emb:none`` (``bridge``: with MT, the MT bridge's weight
    and the lexical rows' share; without, ``lexical:2``, the lexical bridge's weight).
    """
    from unmt.pipeline.align.lexicon import load_lexicon

    s = settings or AlignSettings()
    lexicon = load_lexicon(s.sim.glossary).source if "dict" in s.sim.sources else "none"
    return Signature.of(
        ALIGNER_VERSION,
        sources="+".join(s.sim.sources),
        lexicon=lexicon,
        learn="yes" if s.learn else "no",
        mt="yes" if mt else "no",
        **({"bridge": _bridge_label(s, mt)} if _bridge_weight(s, mt) else {}),
        emb=s.embeddings or "none",
    )
