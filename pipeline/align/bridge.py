"""The MT bridge as vectors: the source's machine translation and the target, compared in English.

Each sentence becomes a vector of its character 1- to 4-grams (lower-cased, spaces folded, a
space added at both ends so word edges count): weight ``(1 + log tf) * log(N / df)``, with df
counted over the sentences of both texts (N of them), folded into ``dims`` dimensions by a
signed feature hash (CRC-32: the same on every machine and in every process), rows scaled to
unit length. Character n-grams are robust to what MT gets wrong in a literal way: inflection,
word choice between near synonyms, transliterated names.

The dynamic programme (:mod:`unmt.pipeline.align.dp`) sums the vectors of a span, takes the
cosine of a bead's two span vectors, and normalises ``1 - cosine`` by each span's mean distance
to sentences spread over the other side (Vecalign's normalisation, so that a bead is judged by
how much closer its sides are than unrelated sentences usually are), then centres it: a bead
whose sides are as close as usual costs nothing, a closer one is rewarded, a farther one pays.
Centring keeps one-sided beads (whose cost is fixed) from becoming cheaper as the weight grows.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from typing import Any

_SPACES = re.compile(r"\s+")

#: the n-gram orders used
ORDERS = (1, 2, 3, 4)


def _grams(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    if not text.strip():
        return counts  # a blank line has nothing to compare
    t = " " + _SPACES.sub(" ", text.lower()).strip() + " "
    for n in ORDERS:
        counts.update(t[i : i + n] for i in range(len(t) - n + 1))
    return counts


def bridge_vectors(mt: Sequence[str], tgt: Sequence[str], dims: int = 1024) -> tuple[Any, Any]:
    """Unit-length n-gram vectors of the MT lines (standing for the source) and the target
    lines, in one space: two ``(n, dims)`` float32 arrays (zero rows for empty lines)."""
    import numpy as np

    grams = [_grams(t) for t in mt], [_grams(t) for t in tgt]
    df: Counter[str] = Counter()
    for side in grams:
        for counts in side:
            df.update(counts.keys())
    total = len(mt) + len(tgt)
    slot: dict[str, tuple[int, float]] = {}  # gram -> (index, signed idf)
    out = []
    for side in grams:
        vecs = np.zeros((len(side), dims), dtype=np.float32)
        for row, counts in enumerate(side):
            for gram, tf in counts.items():
                hit = slot.get(gram)
                if hit is None:
                    h = zlib.crc32(gram.encode("utf-8"))
                    sign = 1.0 if (h >> 31) & 1 else -1.0
                    hit = slot[gram] = (h % dims, sign * math.log(total / df[gram]))
                vecs[row, hit[0]] += (1.0 + math.log(tf)) * hit[1]
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        out.append(vecs / np.where(norms > 0, norms, 1.0))
    return out[0], out[1]


def mean_distances(spans: Any, others: Any, samples: int) -> Any:
    """Each span vector's mean ``1 - cosine`` to ``samples`` rows of ``others`` spread evenly
    over it (deterministic), plus a small floor so that nothing divides by zero."""
    import numpy as np

    if not len(spans) or not len(others):
        return np.ones(len(spans), dtype=np.float32)
    picks = np.unique(np.linspace(0, len(others) - 1, num=min(samples, len(others))).astype(int))
    return np.maximum(1.0 - spans @ others[picks].T, 0.0).mean(axis=1) + 1e-3
