"""Word associations learned from a first alignment of the document itself (Hunalign's realign).

After a first pass, the aligned beads are read as a small parallel corpus: an English word and
a Chinese character unigram or bigram that co-occur in beads much more often than chance (Dice
coefficient over beads) become a learned dictionary pair, e.g. ``cain`` / ``该隐`` or ``lord`` /
``耶和``. The pairs give one more feature per sentence (``l:<word>|<chars>``) for a second
pass. Names and domain words missing from the dictionary are what this adds.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_EN_WORD = re.compile(r"[A-Za-z]+")


def _units(text: str, lang: str) -> set[str]:
    if lang == "zh":
        out: set[str] = set()
        for run in _CJK.findall(text):
            out.update(run)
            out.update(run[k : k + 2] for k in range(len(run) - 1))
        return out
    return {w.lower() for w in _EN_WORD.findall(text) if len(w) > 1}


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
) -> tuple[list[set[str]], list[set[str]]]:
    """Learned-pair features for each source and target sentence (empty when none are learned).

    Only zh/en pairs learn; ``beads`` are the first pass's (source ids, target ids).
    """
    src_feats: list[set[str]] = [set() for _ in src]
    tgt_feats: list[set[str]] = [set() for _ in tgt]
    if {src_lang, tgt_lang} != {"zh", "en"}:
        return src_feats, tgt_feats
    en_is_src = src_lang == "en"
    en_units = [_units(t, "en") for t in (src if en_is_src else tgt)]
    zh_units = [_units(t, "zh") for t in (tgt if en_is_src else src)]
    bead_units: list[tuple[set[str], set[str]]] = []
    for s_ids, t_ids in beads:
        if s_ids and t_ids:
            e_ids, z_ids = (s_ids, t_ids) if en_is_src else (t_ids, s_ids)
            bead_units.append(
                (
                    set().union(*(en_units[i] for i in e_ids)),
                    set().union(*(zh_units[j] for j in z_ids)),
                )
            )
    en_count: Counter[str] = Counter()
    zh_count: Counter[str] = Counter()
    for ew, zw in bead_units:
        en_count.update(ew)
        zh_count.update(zw)
    co: Counter[tuple[str, str]] = Counter()
    for ew, zw in bead_units:
        # a pair seen in fewer than min_count beads cannot qualify: skip rare units early
        co.update(
            itertools.product(
                [w for w in ew if en_count[w] >= min_count],
                [c for c in zw if zh_count[c] >= min_count],
            )
        )
    best: dict[str, list[tuple[float, str]]] = {}
    for (w, c), n in co.items():
        if n < min_count:
            continue
        dice = 2 * n / (en_count[w] + zh_count[c])
        if dice >= min_dice:
            best.setdefault(w, []).append((dice, c))
    pairs = {w: [c for _, c in sorted(cands, reverse=True)[:per_word]] for w, cands in best.items()}
    en_feats, zh_feats = (src_feats, tgt_feats) if en_is_src else (tgt_feats, src_feats)
    for feats, units in zip(en_feats, en_units, strict=True):
        for w in units:
            feats.update(f"l:{w}|{c}" for c in pairs.get(w, ()))
    by_unit: dict[str, list[str]] = {}
    for w, cs in pairs.items():
        for c in cs:
            by_unit.setdefault(c, []).append(f"l:{w}|{c}")
    for feats, units in zip(zh_feats, zh_units, strict=True):
        for c in units:
            feats.update(by_unit.get(c, ()))
    return src_feats, tgt_feats
