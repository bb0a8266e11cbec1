"""The Markdown report: the same content as the HTML page, as GitHub-flavoured Markdown.

Source terms are **bold** when found, ~~struck~~ when a forbidden rendering stands for them
and *italic* when missed; in the English, accepted renderings are **bold**, forbidden ones
~~struck~~.
The chart is a text bar per term. All text is HTML-escaped and Markdown-escaped.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from unmt import __version__
from unmt.eval.report.view import Span, fmt, pct, report_title, segment_spans, summary_rows

if TYPE_CHECKING:
    from unmt.eval.scoring import ScoreResult

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_MARK = {"ok": "**", "bad": "~~", "miss": "*"}


def md(text: str) -> str:
    """Escape ``text`` for a Markdown table cell or paragraph (HTML and Markdown syntax)."""
    return _MD_SPECIAL.sub(r"\\\1", escape(text, quote=False)).replace("\n", " ")


def _marked(text: str, spans: list[Span]) -> str:
    out, pos = [], 0
    for start, end, cls, _ in spans:
        out.append(md(text[pos:start]))
        out.append(f"{_MARK[cls]}{md(text[start:end])}{_MARK[cls]}")
        pos = end
    out.append(md(text[pos:]))
    return "".join(out)


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_markdown(result: ScoreResult, title: str | None = None) -> str:
    """The whole report as one Markdown string."""
    out = [f"# {md(title or report_title(result))}", "", "## Summary", ""]
    out += _table(["figure", "value"], [[md(k), md(v)] for k, v in summary_rows(result)])
    out += ["", "### Signatures", ""]
    out += [f"- {md(k)}: `{str(v).replace('`', '')}`" for k, v in result.signature.items()]
    out += [f"- `{str(v).replace('`', '')}`" for v in result.details.values()]
    rows = list(result.table)
    out += ["", "## Most frequent terms", "", "```"]
    biggest = max((r.occurrences for r in rows[:20]), default=1)
    for r in rows[:20]:
        ok = round(30 * r.hits / biggest)
        miss = round(30 * (r.occurrences - r.hits) / biggest)
        out.append(f"{r.en[:28]:<28} {'#' * ok}{'.' * miss} {r.hits}/{r.occurrences}")
    out += ["```", "", "`#` found, `.` missed", ""]
    if len(result.documents) > 1:
        out += ["## Documents", ""]
        out += _table(
            ["document", "segments", "BLEU", "chrF", "occurrences", "accuracy", "consistency"],
            [
                [
                    md(d.doc or "(none)"),
                    str(d.segments),
                    fmt(d.scores.get("bleu")),
                    fmt(d.scores.get("chrf")),
                    str(d.terms.occurrences),
                    pct(d.terms.term_accuracy),
                    pct(d.terms.consistency),
                ]
                for d in result.documents
            ],
        )
        out.append("")
    out += [f"## Terms ({len(rows)})", ""]
    out += _table(
        [
            "Chinese",
            "approved English",
            "occurrences",
            "hits",
            "accuracy",
            "ref-confirmed",
            "forbidden",
            "renderings produced",
        ],
        [
            [
                md(r.zh),
                md(r.en),
                str(r.occurrences),
                str(r.hits),
                pct(r.accuracy),
                f"{r.ref_hits}/{r.ref_occurrences}",
                str(r.forbidden),
                "; ".join(f"{md(t) if t else '(none found)'} ×{n}" for t, n in r.renderings),
            ]
            for r in rows
        ],
    )
    if not result.segments and result.n_segments:
        out += ["", "## Segments", "", "Each document's segments are in its own report:", ""]
        out += [f"- [{md(d)}]({href})" for d, href in result.document_links.items()]
        return "\n".join(out) + "\n"
    shown = [s for s in result.segments if s.hits]
    out += [
        "",
        "## Segments",
        "",
        f"{len(shown)} of {len(result.segments)} segments contain "
        "glossary terms. **found**, *missed*, ~~forbidden~~.",
        "",
    ]
    for seg in shown:
        src_spans, hyp_spans, missing = segment_spans(seg)
        chrf = f" · chrF {seg.chrf:.2f}" if seg.chrf is not None else ""
        found = sum(h.found for h in seg.hits)
        out += [f"### {md(seg.id)}", "", f"terms {found}/{len(seg.hits)}{chrf}", ""]
        out.append(f"- zh: {_marked(seg.src, src_spans)}")
        out.append(f"- mt: {_marked(seg.hyp, hyp_spans)}")
        if seg.ref is not None:
            out.append(f"- ref: {md(seg.ref)}")
        if missing:
            out.append("- missing: " + "; ".join(f"{md(z)} → {md(e)}" for z, e in missing))
        out.append("")
    out.append(f"unmt {__version__}")
    return "\n".join(out) + "\n"
