"""Writing a score result as a report file: HTML, Markdown or JSON, chosen by the file's suffix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from unmt.errors import UserError
from unmt.fileio import atomic_output

if TYPE_CHECKING:
    from unmt.eval.scoring import ScoreResult

REPORT_SUFFIXES = (".html", ".htm", ".md", ".markdown", ".json")


def write_report(result: ScoreResult, path: str | Path) -> Path:
    """Write ``result`` as HTML, Markdown or JSON (by suffix), atomically; return the path.

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
    if suffix == ".json":
        text = json.dumps(result.to_json(), ensure_ascii=False, indent=1) + "\n"
    elif suffix in (".md", ".markdown"):
        from unmt.eval.report.markdown import render_markdown

        text = render_markdown(result)
    else:
        from unmt.eval.report.html import render_html

        text = render_html(result)
    with atomic_output(path) as fh:
        fh.write(text)
    return path
