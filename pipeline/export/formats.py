"""Every format of an export written in one pass over the rows, each with the rows it keeps.

A translation memory or a training corpus must not mix machine output with human translation
unasked, while a translator's review table wants every row. So each format has its own default
of what it leaves out (:data:`DEFAULT_LEAVE_OUT`), and ``--leave-out``/``--min-chrf``/
``--min-align`` given on the command line apply to every format alike:

==========  ==============================  ===========================================
format      left out by default             why
==========  ==============================  ===========================================
``hf``      one-sided beads                 rows of machine translation stay, marked
                                            ``en_origin = mt``, for the dataset's users
``tmx``     one-sided beads, MT rows        a translation memory holds translations
``moses``   one-sided beads, MT rows        a training corpus of human translations
``tsv``     nothing                         the review table shows every row
``xlsx``    nothing                         likewise
==========  ==============================  ===========================================

Whatever the rules, a row whose English would be the machine translation of a random-weight
model (``--model tiny``: meaningless) is never exported as a translation (``hf``, ``tmx``,
``moses``); the review tables show it as MT, in its column.

The rows of the run directories are read once; each row goes to every format that keeps it,
and each format counts what it left out and why (the command prints it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from unmt.pipeline.export.filters import RowFilter
from unmt.pipeline.export.rows import ExportSet
from unmt.records import Pair

FORMATS = ("hf", "tmx", "tsv", "xlsx", "moses")
#: what each format leaves out when the command line says nothing (``--leave-out`` syntax)
DEFAULT_LEAVE_OUT = {
    "hf": "one-sided",
    "tmx": "one-sided,mt",
    "moses": "one-sided,mt",
    "tsv": "none",
    "xlsx": "none",
}
#: the formats whose English is taken as a translation
TRANSLATIONS = ("hf", "tmx", "moses")
MEANINGLESS = "machine translation of a random-weight model"


class Writer(Protocol):
    """One format being written: rows come one at a time (:meth:`add`), then :meth:`finish`
    completes the files; :meth:`close` lets go of what is open when the export fails."""

    name: str
    filter: RowFilter
    left_out: Counter[str]

    def add(self, row: Pair) -> None: ...

    def finish(self) -> Any: ...

    def close(self) -> None: ...


def row_filters(
    formats: tuple[str, ...],
    leave_out: str | None,
    min_chrf: float | None = None,
    min_align: float | None = None,
) -> dict[str, RowFilter]:
    """Each format's filter: its default (:data:`DEFAULT_LEAVE_OUT`), or ``leave_out`` for
    every format when given; the thresholds apply to every format."""
    return {
        name: RowFilter.parse(
            leave_out if leave_out is not None else DEFAULT_LEAVE_OUT[name], min_chrf, min_align
        )
        for name in formats
    }


@dataclass
class Written:
    """What one pass wrote: each format's result, and the rows read."""

    results: dict[str, Any] = field(default_factory=dict)
    left_out: dict[str, Counter[str]] = field(default_factory=dict)
    rows: int = 0


def write_all(export: ExportSet, writers: list[Writer]) -> Written:
    """Read ``export``'s rows once and give each to every writer that keeps it; finish them.

    On any exception every writer is closed (the export's staging folder then goes whole).
    """
    done = Written()
    try:
        for row in export.rows():
            done.rows += 1
            meaningless = row.en_origin == "mt" and row.doc in export.meaningless
            for writer in writers:
                why = writer.filter.reason(row)
                if why is None and meaningless and writer.name in TRANSLATIONS:
                    why = MEANINGLESS
                if why is None:
                    writer.add(row)
                else:
                    writer.left_out[why] += 1
        for writer in writers:
            done.results[writer.name] = writer.finish()
            done.left_out[writer.name] = writer.left_out
    finally:
        for writer in writers:
            writer.close()
    return done


def open_writers(
    export: ExportSet,
    folder: Path,
    formats: tuple[str, ...],
    filters: dict[str, RowFilter],
    *,
    shard_rows: int,
    license: str,
    tmx_name: str,
) -> list[Writer]:
    """A writer for each of ``formats`` into ``folder``."""
    from unmt.pipeline.export import review
    from unmt.pipeline.export.hf import HfWriter
    from unmt.pipeline.export.tmx import TmxWriter

    writers: list[Writer] = []
    try:
        for name in formats:
            flt = filters[name]
            if name == "hf":
                writers.append(
                    HfWriter(export, folder, flt, shard_rows=shard_rows, license=license)
                )
            elif name == "tmx":
                writers.append(TmxWriter(folder / tmx_name, flt))
            elif name == "tsv":
                writers.append(review.TsvWriter(folder, flt))
            elif name == "xlsx":
                writers.append(review.XlsxWriter(folder, flt))
            else:
                writers.append(review.MosesWriter(folder, flt))
    except BaseException:
        for writer in writers:
            writer.close()
        raise
    return writers
