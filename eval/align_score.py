"""Precision, recall and F1 of sentence alignments against gold beads (Vecalign's convention).

* strict: a predicted bead counts when the gold has exactly the same bead;
* lax: a predicted bead counts when some gold bead shares a source and a target sentence with it;
* precision is over all predicted beads (1-0/0-1 included); recall is over the gold beads that
  are not 1-0/0-1, matched against the predicted beads that are not 1-0/0-1;
* several documents are scored by summing their counts (micro average).

Beads are pairs of index tuples: ``((0, 1), (0,))``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BeadPair = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class AlignScore:
    """Strict and lax precision, recall and F1, with the bead counts they come from."""

    strict_p: float
    strict_r: float
    strict_f1: float
    lax_p: float
    lax_r: float
    lax_f1: float
    n_pred: int
    n_gold: int

    def as_dict(self) -> dict[str, float | int]:
        """The fields as a plain dict (for JSON output)."""
        return dict(self.__dict__)


def _hits(pred: Sequence[BeadPair], gold: Sequence[BeadPair]) -> tuple[int, int, int]:
    """(strict hits, lax hits, scored beads) of ``pred`` beads found in ``gold``."""
    exact = {(tuple(s), tuple(t)) for s, t in gold}
    by_src: dict[int, list[int]] = {}
    for k, (s, _t) in enumerate(gold):
        for i in s:
            by_src.setdefault(i, []).append(k)
    strict = lax = total = 0
    for s, t in pred:
        if not s and not t:
            continue
        total += 1
        if (tuple(s), tuple(t)) in exact:
            strict += 1
            lax += 1
            continue
        tset = set(t)
        if any(tset.intersection(gold[k][1]) for i in s for k in by_src.get(i, ())):
            lax += 1
    return strict, lax, total


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def score_alignments(
    pairs: Iterable[tuple[Sequence[BeadPair], Sequence[BeadPair]]],
) -> AlignScore:
    """Score (gold, pred) alignments of one or more documents together."""
    ps = pl = pn = rs = rl = rn = 0
    n_pred = n_gold = 0
    for gold, pred in pairs:
        n_pred += len(pred)
        n_gold += len(gold)
        a, b, c = _hits(pred, gold)
        ps, pl, pn = ps + a, pl + b, pn + c
        gold_11 = [(s, t) for s, t in gold if s and t]
        pred_11 = [(s, t) for s, t in pred if s and t]
        a, b, c = _hits(gold_11, pred_11)
        rs, rl, rn = rs + a, rl + b, rn + c
    sp, lp = (ps / pn, pl / pn) if pn else (0.0, 0.0)
    sr, lr = (rs / rn, rl / rn) if rn else (0.0, 0.0)
    return AlignScore(sp, sr, _f1(sp, sr), lp, lr, _f1(lp, lr), n_pred, n_gold)


def merge_by_units(
    beads: Sequence[BeadPair], src_units: Sequence[str], tgt_units: Sequence[str]
) -> list[BeadPair]:
    """Merge consecutive beads that lie inside one unit (a Bible verse) on both sides.

    A bead's unit is the single unit of all its sentences (an empty side takes the other side's
    unit); beads spanning two units, or two different units, have none and are never merged.
    This is how Bertalign's Bible benchmark compares sentence beads with verse-level gold.
    """
    out: list[tuple[list[int], list[int]]] = []
    last: str | None = None
    for s, t in beads:
        su = {src_units[i] for i in s}
        tu = {tgt_units[j] for j in t}
        unit = None
        if len(su) <= 1 and len(tu) <= 1 and (su or tu) and (not su or not tu or su == tu):
            unit = next(iter(su or tu))
        if unit is not None and unit == last and out:
            out[-1][0].extend(s)
            out[-1][1].extend(t)
        else:
            out.append((list(s), list(t)))
        last = unit
    return [(tuple(s), tuple(t)) for s, t in out]
