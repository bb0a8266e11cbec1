"""Word associations learned from a first alignment of the document itself (Hunalign's realign).

After a first pass, the aligned beads are read as a small parallel corpus: an English word and
a Chinese character unigram or bigram that co-occur in beads much more often than chance (Dice
coefficient over beads) become a learned dictionary pair, e.g. ``cain`` / ``该隐`` or ``lord`` /
``耶和``. The pairs give one more feature per sentence (``l:<word>|<chars>``) for a second
pass. Names and domain words missing from the dictionary are what this adds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_EN_WORD = re.compile(r"[A-Za-z]+")


Units = tuple[str, ...]
"""A sentence's distinct words or character n-grams, each string shared by every sentence
that has it (with sets of fresh strings, :func:`learn_pairs` peaked 357 MiB above the process's
RSS on 20,000 UN sentence pairs; with these tuples, 232 MiB)."""


def _units(text: str, lang: str, shared: dict[str, str]) -> Units:
    if lang == "zh":
        found: set[str] = set()
        for run in _CJK.findall(text):
            found.update(run)
            found.update(run[k : k + 2] for k in range(len(run) - 1))
    else:
        found = {w.lower() for w in _EN_WORD.findall(text) if len(w) > 1}
    return tuple(shared.setdefault(u, u) for u in found)


def _without_common(units: list[Units], max_share: float) -> None:
    """Drop, in place, what more than ``max_share`` of the sentences have."""
    df: Counter[str] = Counter()
    for u in units:
        df.update(u)
    common = {w for w, n in df.items() if n > max_share * len(units)}
    if common:
        for k, u in enumerate(units):
            units[k] = tuple(x for x in u if x not in common)


def _union(units: list[Units], ids: Sequence[int]) -> Units:
    """The units of a bead's side (a one-sentence side shares its sentence's tuple)."""
    return units[ids[0]] if len(ids) == 1 else tuple(set().union(*(units[k] for k in ids)))


def _co_counts(
    bead_units: Sequence[tuple[Collection[str], Collection[str]]],
    en_count: Counter[str],
    zh_count: Counter[str],
    min_count: int,
) -> list[tuple[str, str, int]]:
    """(word, unit, beads with both) for the pairs seen in at least ``min_count`` beads.

    Counted word by word over the beads that have the word (one ``bincount`` each), so memory
    holds one row of counts, not every pair seen (measured on 20,000 UN sentence pairs: a dict
    of every pair raised :func:`learn_pairs`'s peak by about 200 MiB more, and the whole
    alignment took 48 s against 34 s).
    """
    import numpy as np

    # a pair seen in fewer than min_count beads cannot qualify: rare units get no id
    units = sorted(c for c, n in zh_count.items() if n >= min_count)
    zid = {c: k for k, c in enumerate(units)}
    postings: dict[str, list[int]] = {}
    rows = []
    for k, (ew, zw) in enumerate(bead_units):
        rows.append(np.array(sorted(zid[c] for c in zw if c in zid), dtype=np.int32))
        for w in ew:
            if en_count[w] >= min_count:
                postings.setdefault(w, []).append(k)
    out = []
    for w in sorted(postings):
        counts = np.bincount(np.concatenate([rows[k] for k in postings[w]]), minlength=len(units))
        for c in np.flatnonzero(counts >= min_count).tolist():
            out.append((w, units[c], int(counts[c])))
    return out


def learn_pairs(
    src: Sequence[str],
    tgt: Sequence[str],
    beads: Sequence[tuple[Sequence[int], Sequence[int]]],
    src_lang: str,
    tgt_lang: str,
    *,
    min_count: int = 3,
    min_dice: float = 0.4,
    per_word: int = 2,
    max_share: float | None = None,
) -> tuple[list[set[str]], list[set[str]]]:
    """Learned-pair features for each source and target sentence (empty when none are learned).

    Only zh/en pairs learn; ``beads`` are the first pass's (source ids, target ids).
    ``max_share``: words and units found in more than this share of their side's sentences
    are not paired (the aligner drops such features anyway: ``SimSettings.max_df``), so a
    word's two candidates are units whose features survive.
    """
    src_feats: list[set[str]] = [set() for _ in src]
    tgt_feats: list[set[str]] = [set() for _ in tgt]
    if {src_lang, tgt_lang} != {"zh", "en"}:
        return src_feats, tgt_feats
    en_is_src = src_lang == "en"
    shared: dict[str, str] = {}
    en_units = [_units(t, "en", shared) for t in (src if en_is_src else tgt)]
    zh_units = [_units(t, "zh", shared) for t in (tgt if en_is_src else src)]
    if max_share is not None:
        _without_common(en_units, max_share)
        _without_common(zh_units, max_share)
    bead_units: list[tuple[Units, Units]] = []
    for s_ids, t_ids in beads:
        if s_ids and t_ids:
            e_ids, z_ids = (s_ids, t_ids) if en_is_src else (t_ids, s_ids)
            bead_units.append((_union(en_units, e_ids), _union(zh_units, z_ids)))
    en_count: Counter[str] = Counter()
    zh_count: Counter[str] = Counter()
    for ew, zw in bead_units:
        en_count.update(ew)
        zh_count.update(zw)
    best: dict[str, list[tuple[float, str]]] = {}
    for w, c, n in _co_counts(bead_units, en_count, zh_count, min_count):
        dice = 2 * n / (en_count[w] + zh_count[c])
        if dice >= min_dice:
            best.setdefault(w, []).append((dice, c))
    pairs = {w: [c for _, c in sorted(cands, reverse=True)[:per_word]] for w, cands in best.items()}
    en_feats, zh_feats = (src_feats, tgt_feats) if en_is_src else (tgt_feats, src_feats)
    # one string per learned feature, shared by every sentence that has it
    by_word = {w: [f"l:{w}|{c}" for c in cs] for w, cs in pairs.items()}
    for feats, units in zip(en_feats, en_units, strict=True):
        for w in units:
            feats.update(by_word.get(w, ()))
    by_unit: dict[str, list[str]] = {}
    for w, tags in by_word.items():
        for c, tag in zip(pairs[w], tags, strict=True):
            by_unit.setdefault(c, []).append(tag)
    for feats, units in zip(zh_feats, zh_units, strict=True):
        for c in units:
            feats.update(by_unit.get(c, ()))
    return src_feats, tgt_feats
