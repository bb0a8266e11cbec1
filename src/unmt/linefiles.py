"""Reading the project's line files: plain text, one item a line, or the JSONL of a stage.

Every reader of SRC/HYP/REF/MT files shares these rules:

* the file is UTF-8, with or without a byte-order mark;
* lines are split on ``\\n`` only; a final newline does not start another (empty) line, and a
  ``\\r`` ending a line (CRLF files) is dropped;
* a file is JSONL when its name ends in ``.jsonl``/``.ndjson`` or its first non-blank line is a
  JSON object; blank JSONL lines are skipped, and line numbers are always those of the file.

Bad input raises :class:`~unmt.errors.UserError` naming the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from unmt.errors import UserError

JSONL_SUFFIXES = (".jsonl", ".ndjson")


def read_text(
    path: str | Path,
    *,
    not_utf8: str = "not UTF-8 text",
    hint: str = "convert the file to UTF-8",
) -> str:
    """The text of a UTF-8 file (a leading byte-order mark is dropped).

    Args:
        path: the file.
        not_utf8: the start of the message when the file is not UTF-8.
        hint: what to do when the file is not UTF-8.

    Raises:
        UserError: missing file, a folder, unreadable, or not UTF-8 (with the line and the byte
            offset of the first bad byte).
    """
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise UserError("file not found", path=path, hint="check the path") from None
    except IsADirectoryError:
        raise UserError("is a folder, not a file", path=path) from None
    except OSError as exc:
        raise UserError(f"cannot read: {exc.strerror}", path=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(f"{not_utf8} (byte {exc.start})", path=path, line=line, hint=hint) from None


def split_lines(text: str) -> list[str]:
    """Split on ``\\n``; no empty line after a final newline; a line-ending ``\\r`` is dropped."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def read_lines(path: str | Path) -> list[str]:
    """:func:`read_text` then :func:`split_lines`."""
    return split_lines(read_text(path))


def is_jsonl(path: str | Path, lines: Sequence[str]) -> bool:
    """Whether the file is JSONL: by its suffix, or a first non-blank line that is an object."""
    if Path(path).suffix.lower() in JSONL_SUFFIXES:
        return True
    first = next((ln for ln in lines if ln.strip()), "")
    return first.lstrip().startswith("{")


def jsonl_records(
    path: str | Path,
    lines: Sequence[str],
    *,
    field: str | None = None,
    fallback: str | None = None,
    hint: str | None = None,
    bad_record: str | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of the non-blank lines, with their 1-based line numbers.

    Args:
        path: the file (for messages).
        lines: its lines (:func:`split_lines`).
        field: when given, each record must have a string under this key -- or, when the record
            lacks the key and ``fallback`` is given, under ``fallback``.
        fallback: see ``field``.
        hint: what to do, added to every message.
        bad_record: the message for an object without the field (default: "expected a JSON
            object with a string 'field' field").

    Raises:
        UserError: a line that is not JSON, not an object, or lacks the field.
    """
    if bad_record is None:
        bad_record = "expected a JSON object" + (
            "" if field is None else f" with a string {field!r} field"
        )
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(
                f"not valid JSON ({exc.msg})", path=path, line=number, hint=hint
            ) from None
        if not isinstance(record, dict):
            raise UserError(bad_record, path=path, line=number, hint=hint)
        if field is not None:
            key = fallback if fallback is not None and field not in record else field
            if not isinstance(record.get(key), str):
                raise UserError(bad_record, path=path, line=number, hint=hint)
        yield number, record
