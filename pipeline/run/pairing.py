"""Is a reference a translation of its source? Evidence from the stages, then a decision.

The evidence (:class:`PairingEvidence`) comes from what the segment and align stages recorded:
paragraph counts, document symbols, the share of segments left in one-sided beads and the median
similarity of the two-sided beads. :func:`pairing_problems` turns it into reasons; the runner
decides what they do (the document fails, or with ``--accept-mismatch`` it is flagged).

Thresholds, from the shared dev data (true pairs vs a source paired with another document's
reference; figures in the README): one-sided share 0.00-0.08 for true UN and literary pairs,
0.28-0.85 for wrong ones; median bead similarity 0.38-0.85 true, 0.09-0.34 wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: the prefix of every flag that keeps a document out of ``unmt export`` by default
MISMATCH = "mismatch"
MAX_ONE_SIDED = 0.5  # more of the segments than this in 1-0/0-1 beads: not a translation
MIN_MEDIAN_SCORE = 0.25  # two-sided beads less similar than this (median): not a translation
MIN_SCORED_BEADS = 5  # fewer two-sided beads are not judged by similarity
MIN_SAME_LINE = 0.5  # line-aligned files: at least this share of probed lines align with their own
PARAGRAPH_SLACK = 3  # paragraph counts further apart than this and than a quarter: not one text


@dataclass(frozen=True, slots=True)
class PairingEvidence:
    """What the stages measured about a source and its reference.

    ``zh_paragraphs``/``en_paragraphs`` count numbered paragraphs; ``same_line`` is, for
    line-aligned files paired 1-1, the share of the ``probed_lines`` first lines the aligner
    put with the line of the same number.
    """

    zh_paragraphs: int
    en_paragraphs: int
    zh_symbol: str
    en_symbol: str
    one_sided: float
    median_score: float
    scored_beads: int
    same_line: float = 1.0
    probed_lines: int = 0

    @classmethod
    def of(
        cls, zh_info: dict[str, Any], en_info: dict[str, Any], align_info: dict[str, Any]
    ) -> PairingEvidence:
        """From the ``info`` the segment.zh, segment.en and align stages recorded."""
        return cls(
            int(zh_info.get("numbered", 0)),
            int(en_info.get("numbered", 0)),
            str(zh_info.get("symbol", "")),
            str(en_info.get("symbol", "")),
            float(align_info.get("one_sided", 0.0)),
            float(align_info.get("median_score", 1.0)),
            int(align_info.get("scored_beads", 0)),
            float(align_info.get("same_line", 1.0)),
            int(align_info.get("probed_lines", 0)),
        )


def pairing_problems(e: PairingEvidence) -> list[str]:
    """Why the reference does not look like a translation of the source (empty: it may be)."""
    problems = []
    if e.zh_symbol and e.en_symbol and e.zh_symbol != e.en_symbol:
        problems.append(f"document symbols differ: zh {e.zh_symbol}, en {e.en_symbol}")
    far = abs(e.zh_paragraphs - e.en_paragraphs)
    if far > PARAGRAPH_SLACK and far > 0.25 * max(e.zh_paragraphs, e.en_paragraphs):
        problems.append(
            f"numbered paragraphs far apart: zh {e.zh_paragraphs}, en {e.en_paragraphs}"
        )
    if e.one_sided > MAX_ONE_SIDED:
        problems.append(f"{e.one_sided:.0%} of the segments found no counterpart")
    if e.scored_beads >= MIN_SCORED_BEADS and e.median_score < MIN_MEDIAN_SCORE:
        problems.append(
            f"aligned segments are barely similar (median similarity {e.median_score:.2f}, "
            f"true translations score above {MIN_MEDIAN_SCORE})"
        )
    if e.probed_lines >= MIN_SCORED_BEADS and e.same_line < MIN_SAME_LINE:
        problems.append(
            f"the lines do not correspond: of the first {e.probed_lines}, only "
            f"{e.same_line:.0%} align with the line of the same number"
        )
    return problems


def same_line_share(beads: list[Any], n: int) -> float:
    """The share of ``n`` source lines the beads pair 1-1 with the target line of their number."""
    same = sum(1 for b in beads if len(b.src) == 1 and b.src == b.tgt)
    return round(same / n, 4) if n else 1.0


def bead_evidence(beads: list[Any], n_src: int, n_tgt: int) -> dict[str, Any]:
    """The align stage's share of one-sided segments and median two-sided similarity."""
    one = sum(len(b.src) + len(b.tgt) for b in beads if not (b.src and b.tgt))
    scores = sorted(b.score for b in beads if b.src and b.tgt)
    median = scores[len(scores) // 2] if scores else 0.0
    total = n_src + n_tgt
    return {
        "one_sided": round(one / total, 4) if total else 0.0,
        "median_score": round(median, 4),
        "scored_beads": len(scores),
    }
