"""Bridges: both sides of a bead as vectors in one space, compared by the cosine of their sums.

Two kinds of rows, one per sentence, scaled to unit length:

* :func:`bridge_vectors`, the MT bridge: the source's machine translation and the target,
  compared in English. Each sentence becomes a vector of its character 1- to 4-grams
  (lower-cased, spaces folded, a space added at both ends so word edges count): weight
  ``(1 + log tf) * log(N / df)``, df counted over the sentences of both texts (N of them),
  folded into ``dims`` dimensions by a signed feature hash (CRC-32: the same on every machine and
  in every process). Character n-grams are robust to what MT gets wrong in a literal way:
  inflection, word choice between near synonyms, transliterated names.
* :func:`lexical_vectors`, the lexical bridge, for when there is no MT: the aligner's own
  features (:mod:`unmt.pipeline.align.sim`) in the space where both sides meet. A Chinese
  sentence is the English headwords its dictionary words translate (plus anchors, glossary
  phrases, learned pairs), an English sentence its own headwords (plus the same); weight
  ``log(N / df)``, hashed the same way. It carries the dictionary's evidence as the MT bridge
  carries the MT's: pooled over a span, weighted by rarity, normalised by unrelated sentences.

The dynamic programme (:mod:`unmt.pipeline.align.dp`) sums the rows of a span, takes the
cosine of a bead's two sums, and normalises ``1 - cosine`` by each span's mean distance to
sentences spread over the other side (Vecalign's normalisation, so that a bead is judged by how
much closer its sides are than unrelated sentences usually are), then centres it: a bead whose
sides are as close as usual costs nothing, a closer one is rewarded, a farther one pays.
Centring keeps one-sided beads (whose cost is fixed) from becoming cheaper as the weight grows.

Span sums are never stored: a span's norm comes from the dot products of neighbouring rows
(:func:`span_norms`) and its dot product with a vector from the rows' dot products with it
(:func:`window_sums`), so a side costs its rows (``n x dims`` float32) and nothing per span
width.
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

    # two passes over the n-grams (document frequencies, then rows) instead of holding every
    # sentence's n-gram counts: at 20k x 20k sentences they took over a gigabyte
    df: Counter[str] = Counter()
    for side in (mt, tgt):
        for text in side:
            df.update(_grams(text).keys())
    total = len(mt) + len(tgt)
    slot: dict[str, tuple[int, float]] = {}  # gram -> (index, signed idf)
    out = []
    for side in (mt, tgt):
        vecs = np.zeros((len(side), dims), dtype=np.float32)
        for row, text in enumerate(side):
            for gram, tf in _grams(text).items():
                hit = slot.get(gram)
                if hit is None:
                    h = zlib.crc32(gram.encode("utf-8"))
                    sign = 1.0 if (h >> 31) & 1 else -1.0
                    hit = slot[gram] = (h % dims, sign * math.log(total / df[gram]))
                vecs[row, hit[0]] += (1.0 + math.log(tf)) * hit[1]
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        vecs /= np.where(norms > 0, norms, 1.0)
        out.append(vecs)
    return out[0], out[1]


def lexical_vectors(
    src_bits: Sequence[int], tgt_bits: Sequence[int], dims: int = 256
) -> tuple[Any, Any]:
    """Unit-length rows of two sides' feature bit sets (bit ``k`` is feature ``k``, in one space
    on both sides), each feature weighted ``log(N / df)`` over the sentences of both sides."""
    import numpy as np

    sides = [_bit_lists(src_bits), _bit_lists(tgt_bits)]
    width = max([0] + [int(f.max()) + 1 for _, f in sides if len(f)])
    df = np.zeros(width, dtype=np.int64)
    for _, feats in sides:
        df += np.bincount(feats, minlength=width)
    total = len(src_bits) + len(tgt_bits)
    used = np.flatnonzero(df)
    col = np.zeros(width, dtype=np.int64)
    weight = np.zeros(width, dtype=np.float64)
    for k in used.tolist():
        h = zlib.crc32(k.to_bytes(4, "little"))
        col[k] = h % dims
        weight[k] = (1.0 if (h >> 31) & 1 else -1.0) * math.log(total / df[k])
    out = []
    for (rows, feats), n in ((sides[0], len(src_bits)), (sides[1], len(tgt_bits))):
        vecs = np.zeros((n, dims), dtype=np.float32)
        np.add.at(vecs, (rows, col[feats]), weight[feats].astype(np.float32))
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        vecs /= np.where(norms > 0, norms, 1.0)
        out.append(vecs)
    return out[0], out[1]


def _bit_lists(masks: Sequence[int]) -> tuple[Any, Any]:
    """(row, bit) index arrays of every bit set in a list of Python ``int`` bit sets."""
    import numpy as np

    rows, feats = [], []
    for r, mask in enumerate(masks):
        if mask:
            raw = np.frombuffer(mask.to_bytes((mask.bit_length() + 7) // 8, "little"), np.uint8)
            on = np.flatnonzero(np.unpackbits(raw, bitorder="little"))
            feats.append(on)
            rows.append(np.full(len(on), r, dtype=np.int64))
    if not feats:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(feats)


def mixed_rows(first: Any, second: Any, share: float) -> Any:
    """Two unit-length row sets side by side, the second weighted so that it makes ``share`` of
    each row's squared length: a cosine of mixed rows is ``(1 - share)`` times the first's plus
    ``share`` times the second's (where both rows are non-zero)."""
    import numpy as np

    out = np.empty((len(first), first.shape[1] + second.shape[1]), dtype=np.float32)
    np.multiply(first, (1.0 - share) ** 0.5, out=out[:, : first.shape[1]])
    np.multiply(second, share**0.5, out=out[:, first.shape[1] :])
    return out


def window_sums(values: Any, width: int) -> Any:
    """Sums of ``width`` consecutive entries: entry i covers i .. i + width - 1."""
    if width == 1:
        return values
    count = max(0, len(values) - width + 1)
    out = values[:count].copy()
    for k in range(1, width):
        out += values[k : k + count]
    return out


def span_norms(rows: Any, widest: int) -> list[Any]:
    """For every width 1..``widest``, the reciprocal length of each span's sum of rows (0 for a
    span of zero rows), from the dot products of rows up to ``widest - 1`` apart."""
    import numpy as np

    near = [np.einsum("ij,ij->i", rows, rows).astype(np.float64)]
    near += [
        np.einsum("ij,ij->i", rows[:-d], rows[d:]).astype(np.float64) for d in range(1, widest)
    ]
    out: list[Any] = [None]
    for k in range(1, widest + 1):
        if len(rows) < k:
            out.append(np.zeros(0))
            continue
        sq = window_sums(near[0], k)
        for d in range(1, k):
            sq = sq + 2.0 * window_sums(near[d], k - d)
        norm = np.sqrt(np.maximum(sq, 0.0))
        out.append(np.divide(1.0, norm, out=np.zeros_like(norm), where=norm > 1e-6))
    return out


def span_vector(rows: Any, inverse: Any, start: int, width: int) -> Any:
    """The unit-length sum of rows ``start`` .. ``start + width - 1`` (zero when they are)."""
    return rows[start : start + width].sum(axis=0) * inverse[start]


def mean_distances(rows: Any, inverse: list[Any], others: Any, samples: int) -> list[Any]:
    """For every width, each span's mean ``1 - cosine`` to ``samples`` rows of ``others``
    spread evenly over it (deterministic), plus a small floor so that nothing divides by zero.

    The mean of cosines is the cosine with the mean row, so each width costs one product.
    """
    import numpy as np

    if not len(others):
        return [None] + [np.ones(len(inv)) for inv in inverse[1:]]
    picks = np.unique(np.linspace(0, len(others) - 1, num=min(samples, len(others))).astype(int))
    per_row = (rows @ others[picks].mean(axis=0)).astype(np.float64)
    return [None] + [
        1.0 - window_sums(per_row, k) * inv + 1e-3 for k, inv in enumerate(inverse[1:], start=1)
    ]
