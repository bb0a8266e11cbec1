"""Exports for people and for MT toolkits: a bilingual review table (TSV, XLSX) and Moses text.

The review table is what a translator checks a machine translation with: one row per row of the
run (every row unless ``--leave-out`` says otherwise), with the segment id, the Chinese,
the MT, the human reference where there is one, the glossary terms whose approved English the MT
missed (``会员国 → Member States``), and sentence chrF. TSV is written as a stream; XLSX with
openpyxl's write-only workbook (also a stream), header row frozen, wide text columns wrapped.
An XLSX sheet holds at most 1,048,576 rows: a larger export is an error that names the TSV.

Cells are text, never formulas: every XLSX cell but chrF is written with the string type (a
segment ``=HYPERLINK(...)`` stays those characters), and a TSV cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading ``'``, which spreadsheet programs read as
"text follows" (:func:`tsv_cell`). XML cannot hold most C0 control characters (``\\x01``,
``\\x1b``; tab and line breaks excepted), U+FFFE, U+FFFF or a lone surrogate: in the XLSX each
becomes U+FFFD, the replacement character (:func:`xlsx_text`); the TSV keeps them.

Moses-style parallel text is two files of one segment a line, ``unmt.zh-en.zh`` and
``unmt.zh-en.en``, line-aligned, for the toolkits that read plain parallel corpora (Moses,
fairseq, OpenNMT, Marian). Only two-sided rows are written; a line break inside a segment becomes
a space, so line n of one file is always the translation of line n of the other.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from unmt.errors import UserError
from unmt.fileio import atomic_output
from unmt.pipeline.export.filters import RowFilter
from unmt.records import Pair

REVIEW_COLUMNS = ("id", "doc", "zh", "mt", "reference", "terms missed", "chrf")
TSV_NAME = "unmt.review.tsv"
XLSX_NAME = "unmt.review.xlsx"
MOSES_STEM = "unmt.zh-en"
#: rows an XLSX sheet holds besides its header
XLSX_MAX_ROWS = 1_048_575
#: what a spreadsheet program may read as the start of a formula in a text file's cell
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: characters XML 1.0 cannot hold (so neither can an XLSX cell)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class ReviewExport:
    """What a review or Moses export wrote."""

    path: Path
    rows: int


def _flat(text: str) -> str:
    """One line of text: tabs and line breaks become spaces."""
    return " ".join(text.replace("\t", " ").splitlines()).strip()


def review_row(row: Pair) -> tuple[str, ...]:
    """The review table's cells of one exported row."""
    missed = "; ".join(f"{t.zh} → {t.en}" for t in row.terms if not t.found)
    reference = row.en if row.en_origin == "reference" else ""
    chrf = "" if row.chrf is None else f"{row.chrf:.1f}"
    return (row.id, row.doc, _flat(row.zh), _flat(row.mt), _flat(reference), missed, chrf)


def tsv_cell(text: str) -> str:
    """``text`` as a TSV cell a spreadsheet program reads as text: ``'`` before a formula start."""
    return "'" + text if text.startswith(FORMULA_START) else text


def xlsx_text(text: str) -> str:
    """``text`` with each character XML cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


class TsvWriter:
    """The review table as UTF-8 TSV with a header line, as rows come (cells:
    :func:`tsv_cell`)."""

    name = "tsv"

    def __init__(self, folder: Path, row_filter: RowFilter) -> None:
        self.path, self.filter = folder / TSV_NAME, row_filter
        self.left_out: Counter[str] = Counter()
        self.rows = 0
        self.fh = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.fh.write("\t".join(REVIEW_COLUMNS) + "\n")

    def add(self, row: Pair) -> None:
        self.fh.write("\t".join(tsv_cell(cell) for cell in review_row(row)) + "\n")
        self.rows += 1

    def finish(self) -> ReviewExport:
        self.fh.close()
        return ReviewExport(self.path, self.rows)

    def close(self) -> None:
        self.fh.close()


class XlsxWriter:
    """The review table as an XLSX workbook (one sheet, header frozen), written by openpyxl's
    write-only workbook as rows come and saved by :meth:`finish`."""

    name = "xlsx"

    def __init__(self, folder: Path, row_filter: RowFilter) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        self.path, self.filter = folder / XLSX_NAME, row_filter
        self.left_out: Counter[str] = Counter()
        self.rows = 0
        self._cell = WriteOnlyCell
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("review")
        self.sheet.freeze_panes = "A2"
        for letter, width in zip("ABCDEFG", (18, 12, 50, 50, 50, 30, 7), strict=True):
            self.sheet.column_dimensions[letter].width = width
        header = []
        for name in REVIEW_COLUMNS:
            cell = WriteOnlyCell(self.sheet, value=name)
            cell.font = Font(bold=True)
            header.append(cell)
        self.sheet.append(header)
        self.wrap = Alignment(wrap_text=True, vertical="top")

    def add(self, row: Pair) -> None:
        self.rows += 1
        if self.rows > XLSX_MAX_ROWS:
            raise UserError(
                f"more than {XLSX_MAX_ROWS:,} rows: an XLSX sheet cannot hold them",
                hint="export the review table as TSV (--format tsv), or fewer run directories",
            )
        cells = []
        for i, value in enumerate(review_row(row)):
            if i == 6:  # chrF: a number, or an empty cell
                cell = self._cell(self.sheet, value=float(value) if value else value)
            else:  # text, never a formula
                cell = self._cell(self.sheet, value=xlsx_text(value))
                cell.data_type = "s"
            if i in (2, 3, 4, 5):
                cell.alignment = self.wrap
            cells.append(cell)
        self.sheet.append(cells)

    def finish(self) -> ReviewExport:
        with atomic_output(self.path, mode="wb") as fh:
            self.book.save(fh)
        return ReviewExport(self.path, self.rows)

    def close(self) -> None:
        """Nothing is open: the workbook is written by :meth:`finish` alone."""


class MosesWriter:
    """``unmt.zh-en.zh`` and ``unmt.zh-en.en``, line-aligned, as rows come (two-sided rows
    only)."""

    name = "moses"

    def __init__(self, folder: Path, row_filter: RowFilter) -> None:
        self.path, self.filter = folder / f"{MOSES_STEM}.zh", row_filter
        self.left_out: Counter[str] = Counter()
        self.rows = 0
        self.zh = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.en = open(folder / f"{MOSES_STEM}.en", "w", encoding="utf-8", newline="")  # noqa: SIM115

    def add(self, row: Pair) -> None:
        z, e = _flat(row.zh), _flat(row.en)
        if not (z and e):
            self.left_out["one-sided bead"] += 1
            return
        self.zh.write(z + "\n")
        self.en.write(e + "\n")
        self.rows += 1

    def finish(self) -> ReviewExport:
        self.close()
        return ReviewExport(self.path, self.rows)

    def close(self) -> None:
        self.zh.close()
        self.en.close()
