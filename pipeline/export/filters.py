"""Which rows an export leaves out: rules decided apart from the scores the run recorded.

The run records every row with what a decision needs (``en_origin``, the bead shape, sentence
chrF); an export decides which rows a translation memory or a training corpus may hold. A
:class:`RowFilter` names one reason per row it leaves out, and an :class:`ExportSet` counts them
so that the dataset card can say what was left out and why.

Defaults, chosen for a corpus builder:

- one-sided beads (``1-0``, ``0-1``: a sentence with nothing on the other side) are left out:
  they are not translations of anything (``--leave-out none`` keeps them);
- rows whose English is the machine translation (documents without a reference) are kept and
  marked ``en_origin = mt``: without them a run with no reference would export nothing
  (``--leave-out mt`` makes a corpus of human translations only);
- no chrF threshold (``--min-chrf``); a threshold keeps rows without chrF (no reference), as it
  has nothing to judge them by;
- no alignment-score threshold (``--min-align``: the aligner's 0-1 similarity of a bead's two
  sides); like chrF, it keeps rows without a score (no reference).

Documents flagged as mismatched are left out whole, before any row is read
(:func:`unmt.pipeline.export.rows.collect`).
"""

from __future__ import annotations

from dataclasses import dataclass

from unmt.errors import UserError
from unmt.records import Pair

#: what ``--leave-out`` accepts
KINDS = ("one-sided", "mt", "none")
DEFAULT_LEAVE_OUT = "one-sided"


@dataclass(frozen=True)
class RowFilter:
    """The rows an export leaves out.

    Attributes:
        one_sided: leave out beads with an empty side.
        mt: leave out rows whose English is the machine translation.
        min_chrf: leave out rows whose sentence chrF is below this (rows without chrF stay).
        min_align: leave out rows whose alignment score is below this (rows without one stay).
    """

    one_sided: bool = True
    mt: bool = False
    min_chrf: float | None = None
    min_align: float | None = None

    @classmethod
    def parse(
        cls, leave_out: str, min_chrf: float | None = None, min_align: float | None = None
    ) -> RowFilter:
        """From ``--leave-out one-sided,mt`` (or ``none``), ``--min-chrf`` and ``--min-align``."""
        kinds = {k.strip() for k in leave_out.split(",") if k.strip()}
        unknown = sorted(kinds - set(KINDS))
        if unknown:
            raise UserError(
                f"--leave-out: unknown kind {', '.join(unknown)}",
                hint="give a comma-separated list of: " + ", ".join(KINDS),
            )
        if "none" in kinds and len(kinds) > 1:
            raise UserError("--leave-out none cannot be combined with other kinds")
        if min_chrf is not None and not 0 <= min_chrf <= 100:
            raise UserError(f"--min-chrf {min_chrf:g} is not between 0 and 100")
        if min_align is not None and not 0 <= min_align <= 1:
            raise UserError(f"--min-align {min_align:g} is not between 0 and 1")
        return cls(
            one_sided="one-sided" in kinds, mt="mt" in kinds, min_chrf=min_chrf, min_align=min_align
        )

    def reason(self, row: Pair) -> str | None:
        """Why ``row`` is left out, or ``None`` when it is kept."""
        if self.one_sided and (not row.zh.strip() or not row.en.strip()):
            return "one-sided bead"
        if self.mt and row.en_origin == "mt":
            return "English is machine translation"
        if self.min_chrf is not None and row.chrf is not None and row.chrf < self.min_chrf:
            return f"chrF under {self.min_chrf:g}"
        if self.min_align is not None and row.align is not None and row.align < self.min_align:
            return f"alignment score under {self.min_align:g}"
        return None

    def rules(self) -> list[str]:
        """The rules in force, in words (for the dataset card)."""
        out = []
        if self.one_sided:
            out.append("one-sided beads (a sentence with nothing on the other side)")
        if self.mt:
            out.append("rows whose English is machine translation (no reference)")
        if self.min_chrf is not None:
            out.append(f"rows with sentence chrF under {self.min_chrf:g} (rows without chrF kept)")
        if self.min_align is not None:
            out.append(
                f"rows with an alignment score under {self.min_align:g} (rows without one kept)"
            )
        return out
