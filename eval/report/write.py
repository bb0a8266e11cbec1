"""Writing a score result as a report file: HTML, Markdown or JSON, chosen by the file's suffix.

Every format is written as a stream of pieces (a corpus report's per-document rows are read
as they are written), into a temporary file that replaces the report only when complete.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unmt.errors import UserError
from unmt.fileio import atomic_output

if TYPE_CHECKING:
    from unmt.eval.scoring import ScoreResult

REPORT_SUFFIXES = (".html", ".htm", ".md", ".markdown", ".json")


def _indented(value: Any, prefix: str) -> str:
    """``value`` as ``json.dumps(indent=1)`` writes it at the depth of ``prefix``."""
    return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n" + prefix)


def iter_json(result: ScoreResult) -> Iterator[str]:
    """``json.dumps(result.to_json(), ensure_ascii=False, indent=1) + "\\n"``, piece by piece:
    the same bytes, without the whole document list (or segment list) in memory at once."""
    parts = result.json_parts()
    yield "{"
    for i, (key, value) in enumerate(parts):
        yield ("\n " if i == 0 else ",\n ") + json.dumps(key, ensure_ascii=False) + ": "
        if isinstance(value, Iterator):
            first = True
            for item in value:
                yield ("[\n  " if first else ",\n  ") + _indented(item, "  ")
                first = False
            yield "[]" if first else "\n ]"
        else:
            yield _indented(value, " ")
    yield "\n}\n"


def write_report(result: ScoreResult, path: str | Path, *, named: bool = False) -> Path:
    """Write ``result`` as HTML, Markdown or JSON (by suffix), atomically; return the path.

    ``named``: a path the user gave (``unmt score -o``), written by the output rule of
    :func:`unmt.fileio.atomic_output` (a link written through, a device or pipe into).

    Raises:
        UserError: the suffix is none of ``.html``, ``.htm``, ``.md``, ``.markdown``, ``.json``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise UserError(
            f"unknown report format {suffix or '(no suffix)'!r}",
            path=path,
            hint=f"name the report with one of {', '.join(REPORT_SUFFIXES)}",
        )
    pieces: Iterator[str]
    if suffix == ".json":
        pieces = iter_json(result)
    elif suffix in (".md", ".markdown"):
        from unmt.eval.report.markdown import iter_markdown

        pieces = iter_markdown(result)
    else:
        from unmt.eval.report.html import iter_html

        pieces = iter_html(result)
    with atomic_output(path, named=named) as fh:
        for piece in pieces:
            fh.write(piece)
    return path
