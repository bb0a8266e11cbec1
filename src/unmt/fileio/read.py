"""Reading the project's input files: bounded bytes, UTF-8 text, line files, JSON and JSONL.

Every reader of SRC/HYP/REF/MT files shares these rules:

* at most :data:`MAX_INPUT_BYTES` are read from one file (an endless device such as
  ``/dev/zero`` is an error, not a ``MemoryError``);
* the file is UTF-8, with or without a byte-order mark;
* lines are split on ``\\n`` only; a final newline does not start another (empty) line, and a
  ``\\r`` ending a line (CRLF files) is dropped;
* a file is JSONL when its name ends in ``.jsonl``/``.ndjson`` or its first non-blank line is a
  JSON object; blank JSONL lines are skipped, and line numbers are always those of the file;
* JSON is nested at most :data:`MAX_JSON_DEPTH` deep, its integers are at most 4,300 digits
  long, and its strings are text (no lone surrogate such as ``"\\ud800"``).

Bad input raises :class:`~unmt.errors.UserError` naming the file and line.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from unmt.errors import UserError

JSONL_SUFFIXES = (".jsonl", ".ndjson")


#: the file argument that means standard input (or, for an output, standard output)
STDIO = "-"


#: the most bytes unmt reads from one input file (a document, JSONL, a glossary, a manifest):
#: a UN document is a few MB, a corpus's JSONL some hundreds; ``/dev/zero`` never ends
MAX_INPUT_BYTES = 1 << 30
#: the most bytes of a settings file (YAML run config, pairs manifest)
MAX_CONFIG_BYTES = 64 << 20


def _too_large(path: str | Path, limit: int) -> UserError:
    return UserError(
        f"the input is larger than {limit / 2**20:,.0f} MiB (the most unmt reads from one file)",
        path=path,
        hint="split it into smaller files; a device such as /dev/zero is no input",
    )


def read_bytes(path: str | Path, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a file, or of standard input for ``-`` (read once, whole), at most
    ``limit`` of them: a larger file (or an endless pipe) is a :class:`UserError`, and so is a
    device (``/dev/zero``, ``/dev/urandom``: no document). A named pipe is read as a file.

    Raises:
        UserError: more than ``limit`` bytes; a character or block device.
        OSError: the file cannot be opened or read (callers name the problem).
    """
    if str(path) == STDIO:
        data = sys.stdin.buffer.read(limit + 1)
    else:
        with open(path, "rb") as fh:
            if stat.S_ISCHR(mode := os.fstat(fh.fileno()).st_mode) or stat.S_ISBLK(mode):
                raise UserError(
                    "is a device, not a file", path=path, hint="give a file (or - for stdin)"
                )
            data = fh.read(limit + 1)
    if len(data) > limit:
        raise _too_large(path, limit)
    return data


def read_text(
    path: str | Path,
    *,
    not_utf8: str = "not UTF-8 text",
    hint: str = "convert the file to UTF-8",
    limit: int = MAX_INPUT_BYTES,
) -> str:
    """The text of a UTF-8 file (a leading byte-order mark is dropped); ``-``: standard input.

    Args:
        path: the file, or ``-``.
        not_utf8: the start of the message when the file is not UTF-8.
        hint: what to do when the file is not UTF-8.
        limit: the most bytes read (:func:`read_bytes`).

    Raises:
        UserError: missing file, a folder, unreadable, larger than ``limit``, or not UTF-8
            (with the line and the byte offset of the first bad byte).
    """
    try:
        raw = read_bytes(path, limit=limit)
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


def shown_path(path: str | Path) -> str:
    """A path as text that can be printed and stored: bytes of a file name that are not UTF-8
    (decoded by Python as lone surrogates) are shown as ``\\xff`` escapes."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def real_path(path: str | Path) -> Path:
    """The absolute path with every symbolic link resolved, as far as it resolves (a link
    loop or a missing part ends the resolution instead of raising)."""
    return Path(os.path.realpath(path))


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
    """Whether the file is JSONL: by its suffix, or a first non-blank line that is a JSON
    object (plain text that merely starts with ``{`` is plain text)."""
    if Path(path).suffix.lower() in JSONL_SUFFIXES:
        return True
    first = next((ln for ln in lines if ln.strip()), "").strip()
    if not (first.startswith("{") and first.endswith("}")):
        return False
    try:
        return isinstance(loads_json(first, path=path), dict)
    except UserError:
        return False


#: the deepest nesting of objects and arrays unmt reads (its own records are 4 deep)
MAX_JSON_DEPTH = 64
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]')


def json_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in a JSON text (brackets in strings not counted)."""
    depth = deepest = 0
    for token in _JSON_TOKEN.finditer(text):
        first = token.group()[0]
        if first in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif first in "]}":
            depth -= 1
    return deepest


def _lone_surrogate(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def loads_json(
    text: str,
    *,
    path: str | Path | None = None,
    line: int | None = None,
    hint: str | None = None,
) -> Any:
    """``json.loads`` with unmt's bounds: every failure is a :class:`UserError` naming ``path``
    and ``line`` (not JSON, nested deeper than :data:`MAX_JSON_DEPTH`, an integer too long for
    Python, a lone surrogate in a string)."""

    def error(what: str) -> UserError:
        return UserError(what, path=path, line=line, hint=hint)

    # a cheap test first: only a text with that many brackets can nest that deep
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and json_depth(text) > MAX_JSON_DEPTH:
        raise error(f"JSON nested more than {MAX_JSON_DEPTH} deep")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise error(f"JSON nested more than {MAX_JSON_DEPTH} deep") from None
    except ValueError as exc:  # an integer of more digits than Python converts
        raise error(f"not valid JSON ({str(exc).split(';')[0]})") from None
    if _SURROGATE_ESCAPE.search(text) and _lone_surrogate(value):
        raise error("a string holds a lone surrogate (such as \\ud800), which is no text")
    return value


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
        record = loads_json(line, path=path, line=number, hint=hint)
        if not isinstance(record, dict):
            raise UserError(bad_record, path=path, line=number, hint=hint)
        if field is not None:
            key = fallback if fallback is not None and field not in record else field
            if not isinstance(record.get(key), str):
                raise UserError(bad_record, path=path, line=number, hint=hint)
        yield number, record


R = TypeVar("R")


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """The objects of a JSONL file this tool wrote (one per non-blank line)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_records(path: str | Path, cls: type[R]) -> list[R]:
    """The typed records of a JSONL file this tool wrote: ``cls.from_json`` of every line."""
    return [cls.from_json(r) for r in read_jsonl(path)]  # type: ignore[attr-defined]
