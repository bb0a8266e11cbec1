"""Reading delimited glossaries: TSV, CSV and the UNBIS thesaurus export.

The header row names the columns; :data:`COLUMN_ALIASES` maps accepted names (case-insensitive)
to :class:`~unmt.eval.glossary.load.Entry` fields; list fields are ``|``-separated. Lines
starting with ``#`` and blank lines are skipped; trailing empty fields may be left out of a row,
but a row that lacks the Chinese or the English field, or has more fields than the header, is
malformed.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from pathlib import Path

from unmt.errors import UserError
from unmt.eval.glossary.load import Entry
from unmt.textcodec import decode_bytes

log = logging.getLogger(__name__)

#: header name (case-folded) -> Entry field
COLUMN_ALIASES: dict[str, str] = {
    "zh": "zh",
    "zh-cn": "zh",
    "zh_cn": "zh",
    "zh-hans": "zh",
    "chinese": "zh",
    "source": "zh",
    "en": "en",
    "en-us": "en",
    "en-gb": "en",
    "english": "en",
    "target": "en",
    "variants": "variants",
    "variant": "variants",
    "forbidden": "forbidden",
    "deprecated": "forbidden",
    "id": "id",
    "identifier": "id",
    "note": "note",
    "notes": "note",
    "domain": "domain",
    "zh_variants": "zh_variants",
    "zh-variants": "zh_variants",
    "context": "context",
    "when": "context",
}
LIST_SEPARATOR = "|"


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in value.split(LIST_SEPARATOR) if p.strip()))


def sniff_kind(path: Path, text: str) -> str:
    """'tsv' or 'csv': by extension, else by a tab in the first non-comment line."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".tsv":
        return "tsv"
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
    return "tsv" if "\t" in first else "csv"


def decode(path: Path, raw: bytes) -> str:
    """The text of a TSV/CSV glossary, in the encodings documents come in (UTF-8 with or
    without BOM, UTF-16, GB18030/GBK, Big5: :func:`unmt.textcodec.decode_bytes`); otherwise a
    UserError naming the line of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        text, encoding = decode_bytes(raw, path)
    except UserError:
        line = raw[:first_bad].count(b"\n") + 1
        raise UserError(
            "glossary is not valid UTF-8 (nor UTF-16, GB18030 or Big5 Chinese)",
            path=path,
            line=line,
            hint="save it as UTF-8",
        ) from None
    log.info("%s: read as %s", path, encoding)
    return text


def _rows(text: str, kind: str) -> Iterable[tuple[int, list[str]]]:
    """(line number, cells) of each non-blank, non-comment row, header included."""
    if kind == "tsv":
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.startswith("#"):
                yield number, [cell.strip() for cell in line.split("\t")]
        return
    lines = [ln if not ln.startswith("#") else "" for ln in text.splitlines(keepends=True)]
    reader = csv.reader(io.StringIO("".join(lines)), strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(f"{reader.line_num}\t{exc}") from None
        if any(cell.strip() for cell in cells):
            yield start, [cell.strip() for cell in cells]
        start = reader.line_num + 1


def parse_delimited(path: Path, text: str, kind: str, name: str) -> tuple[list[Entry], list[str]]:
    """Entries and issues (skipped rows) of a TSV/CSV glossary; UserError when malformed."""
    issues: list[str] = []
    entries: list[Entry] = []
    columns: dict[str, int] | None = None
    width = 0
    try:
        for number, cells in _rows(text, kind):
            if columns is None:
                columns = {}
                for index, cell in enumerate(cells):
                    field = COLUMN_ALIASES.get(cell.strip().lower())
                    if field and field not in columns:
                        columns[field] = index
                missing = [f for f in ("zh", "en") if f not in columns]
                if missing:
                    raise UserError(
                        f"header has no {' and no '.join(missing)} column (found: "
                        f"{', '.join(cells)})",
                        path=path,
                        line=number,
                        hint="name the columns zh/Chinese/source and en/English/target",
                    )
                width = len(cells)
                continue
            # trailing empty fields may be left out, but never the Chinese or English one
            if len(cells) > width or len(cells) <= max(columns["zh"], columns["en"]):
                raise UserError(
                    f"malformed row: {len(cells)} {kind.upper()} fields, the header has {width}",
                    path=path,
                    line=number,
                    hint="check for a missing or extra separator",
                )
            cells = cells + [""] * (width - len(cells))
            row = {field: cells[index] for field, index in columns.items()}
            zh, en = row["zh"], row["en"]
            if not zh or not en:
                issues.append(
                    f"{name}:{number}: row skipped, no {'Chinese' if not zh else 'English'} term"
                )
                continue
            entries.append(
                Entry(
                    id=row.get("id", "") or f"{name}:{number}",
                    zh=zh,
                    en=en,
                    variants=tuple(v for v in _split_list(row.get("variants", "")) if v != en),
                    forbidden=_split_list(row.get("forbidden", "")),
                    note=row.get("note", ""),
                    domain=row.get("domain", ""),
                    glossary=name,
                    line=number,
                    zh_variants=tuple(
                        v for v in _split_list(row.get("zh_variants", "")) if v != zh
                    ),
                    context=_split_list(row.get("context", "")),
                )
            )
    except ValueError as exc:
        line, _, what = str(exc).partition("\t")
        raise UserError(f"malformed CSV: {what}", path=path, line=int(line)) from None
    if columns is None:
        raise UserError("glossary is empty: no header row", path=path)
    return entries, issues
