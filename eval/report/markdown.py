"""The Markdown report: the same content as the HTML page, as GitHub-flavoured Markdown.

Source terms are **bold** when found, ~~struck~~ when a forbidden rendering stands for them
and *italic* when missed; in the English, accepted renderings are **bold**, forbidden ones
~~struck~~. The chart is a text bar per term. The page is ``templates/report.md.j2``, whose
environment escapes every value for HTML and Markdown (:func:`unmt.eval.report.engine.md`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from markupsafe import Markup

from unmt.eval.report.engine import helpers, md, stream
from unmt.eval.report.view import fmt, pct, report_context

if TYPE_CHECKING:
    from unmt.eval.metrics import TermRow
    from unmt.eval.scoring import DocumentResult, ScoreResult

__all__ = ["iter_markdown", "md", "render_markdown"]

_MARK = {"ok": "**", "bad": "~~", "miss": "*"}


def _chart_lines(rows: Sequence[TermRow]) -> list[str]:
    top = rows[:20]
    biggest = max((r.occurrences for r in top), default=1)
    lines = []
    for r in top:
        ok = round(30 * r.hits / biggest)
        miss = round(30 * (r.occurrences - r.hits) / biggest)
        label = r.en[:28].replace("`", "'")  # a code block: no backtick may close it
        lines.append(f"{label:<28} {'#' * ok}{'.' * miss} {r.hits}/{r.occurrences}")
    return lines


def _document_rows(documents: Iterable[DocumentResult]) -> Iterator[list[str]]:
    for d in documents:
        yield [
            d.doc or "(none)",
            str(d.segments),
            fmt(d.scores.get("bleu")),
            fmt(d.scores.get("chrf")),
            str(d.terms.occurrences),
            pct(d.terms.term_accuracy),
            pct(d.terms.consistency),
        ]


def _term_rows(rows: Iterable[TermRow]) -> Iterator[list[str]]:
    for r in rows:
        renderings = "; ".join(f"{md(t) if t else '(none found)'} ×{n}" for t, n in r.renderings)
        yield [
            r.zh,
            r.en,
            str(r.occurrences),
            str(r.hits),
            pct(r.accuracy),
            f"{r.ref_hits}/{r.ref_occurrences}",
            str(r.forbidden),
            Markup(renderings),  # escaped above: "(none found)" is the report's own words
        ]


def iter_markdown(result: ScoreResult, title: str | None = None) -> Iterator[str]:
    """The report's Markdown, piece by piece."""
    context = report_context(result, title)
    context.update(
        helpers(document_rows=_document_rows, term_rows=_term_rows),
        chart_lines=_chart_lines(result.table),
        marks=_MARK,
    )
    return stream("md", "report.md.j2", context)


def render_markdown(result: ScoreResult, title: str | None = None) -> str:
    """The whole report as one Markdown string."""
    return "".join(iter_markdown(result, title))
