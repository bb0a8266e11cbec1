"""The HTML report: one self-contained page (inline CSS, JS and SVG; no external asset).

Sections: summary with every signature, a chart of the most frequent terms, per-document figures,
a per-term table that sorts on a click of its header, and a per-segment view in which source
terms are highlighted (found, missed, forbidden) and the renderings in the English are marked.
The page is ``templates/report.html.j2`` rendered by the autoescaping environment of
:mod:`unmt.eval.report.engine`, with the content laid out by :func:`view.report_context`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from unmt.eval.report.engine import asset, helpers, stream
from unmt.eval.report.view import report_context

if TYPE_CHECKING:
    from unmt.eval.scoring import ScoreResult


def iter_html(result: ScoreResult, title: str | None = None) -> Iterator[str]:
    """The report's HTML, piece by piece (``title``: :func:`view.report_title` by default)."""
    context = report_context(result, title)
    context.update(helpers(), css=asset("report.css"), js=asset("report.js"))
    return stream("html", "report.html.j2", context)


def render_html(result: ScoreResult, title: str | None = None) -> str:
    """The whole report as one HTML string."""
    return "".join(iter_html(result, title))
