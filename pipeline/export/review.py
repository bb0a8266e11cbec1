"""Exports for people and for MT toolkits: a bilingual review table (TSV, XLSX) and Moses text.

The review table is what a translator checks a machine translation with: one row per exported
row (``ExportSet.rows()``, so the same rows the dataset has), with the segment id, the Chinese,
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
from dataclasses import dataclass
from pathlib import Path

from unmt.errors import UserError
from unmt.fileio import atomic_output
from unmt.pipeline.export.rows import ExportSet
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


def export_tsv(export: ExportSet, path: Path) -> ReviewExport:
    """Write the review table as UTF-8 TSV with a header line (cells: :func:`tsv_cell`)."""
    n = 0
    with atomic_output(path) as fh:
        fh.write("\t".join(REVIEW_COLUMNS) + "\n")
        for row in export.rows():
            fh.write("\t".join(tsv_cell(cell) for cell in review_row(row)) + "\n")
            n += 1
    return ReviewExport(path, n)


def export_xlsx(export: ExportSet, path: Path) -> ReviewExport:
    """Write the review table as an XLSX workbook (one sheet, header frozen)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("review")
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", (18, 12, 50, 50, 50, 30, 7), strict=True):
        sheet.column_dimensions[letter].width = width
    header = []
    for name in REVIEW_COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    n = 0
    for row in export.rows():
        n += 1
        if n > XLSX_MAX_ROWS:
            raise UserError(
                f"more than {XLSX_MAX_ROWS:,} rows: an XLSX sheet cannot hold them",
                hint="export the review table as TSV (--format tsv), or fewer run directories",
            )
        cells = []
        for i, value in enumerate(review_row(row)):
            if i == 6:  # chrF: a number, or an empty cell
                cell = WriteOnlyCell(sheet, value=float(value) if value else value)
            else:  # text, never a formula
                cell = WriteOnlyCell(sheet, value=xlsx_text(value))
                cell.data_type = "s"
            if i in (2, 3, 4, 5):
                cell.alignment = wrap
            cells.append(cell)
        sheet.append(cells)
    with atomic_output(path, mode="wb") as fh:
        book.save(fh)
    return ReviewExport(path, n)


def export_moses(export: ExportSet, folder: Path) -> ReviewExport:
    """Write ``unmt.zh-en.zh`` and ``unmt.zh-en.en``, line-aligned (two-sided rows only)."""
    zh_path, en_path = folder / f"{MOSES_STEM}.zh", folder / f"{MOSES_STEM}.en"
    n = 0
    with atomic_output(zh_path) as zh, atomic_output(en_path) as en:
        for row in export.rows():
            z, e = _flat(row.zh), _flat(row.en)
            if z and e:
                zh.write(z + "\n")
                en.write(e + "\n")
                n += 1
    return ReviewExport(zh_path, n)
